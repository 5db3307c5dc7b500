import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useParams } from 'react-router';
import { projects } from '../../api/faultline';
import { members } from '../../api/members';
import { createTeam, teams } from '../../api/organization';
import { ErrorMessage } from '../../components/ErrorMessage';
import { QueryError } from '../../components/QueryError';
import { useOrganizationAccess } from '../../settings/access';
import { TeamCard } from './TeamCard';

/**
 * An organization's teams with their members and projects (`team:read`). Creating a team and
 * changing its members takes `team:write`, its projects `project:write`, deleting it `team:admin`.
 */
export function OrganizationTeamsPage() {
  const { organization = '' } = useParams();
  const access = useOrganizationAccess(organization);
  const queryClient = useQueryClient();
  const list = useQuery({ queryKey: ['teams', organization], queryFn: () => teams(organization) });
  const people = useQuery({ queryKey: ['members', organization], queryFn: () => members(organization) });
  const projectList = useQuery({
    queryKey: ['projects', organization],
    queryFn: () => projects(organization),
  });
  const create = useMutation({
    mutationFn: (name: string) => createTeam(organization, name),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['teams', organization] }),
  });
  const may = {
    members: access.can('team:write'),
    projects: access.can('project:write'),
    remove: access.can('team:admin'),
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    create.mutate(String(new FormData(form).get('name')).trim(), { onSuccess: () => form.reset() });
  };

  const error = list.error ?? people.error ?? projectList.error;
  if (error) return <QueryError error={error} />;
  if (!list.data || !people.data || !projectList.data) return <p className="muted">Loading…</p>;
  return (
    <>
      <h2>Teams</h2>
      <p className="muted">A team opens its projects to its members; admins and above see every project.</p>
      {list.data.length === 0 && <p>No teams yet.</p>}
      {list.data.map((team) => (
        <TeamCard
          key={team.id}
          organization={organization}
          team={team}
          members={people.data}
          projects={projectList.data}
          may={may}
        />
      ))}
      {access.can('team:write') && (
        <form className="inline-form" onSubmit={submit} aria-label="Create a team">
          <label>
            Team name
            <input name="name" required maxLength={64} />
          </label>
          <button type="submit" disabled={create.isPending}>
            Create team
          </button>
          <ErrorMessage error={create.error} />
        </form>
      )}
    </>
  );
}
