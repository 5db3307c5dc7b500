import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Project } from '../../api/faultline';
import type { Member } from '../../api/members';
import { deleteTeam, type Team } from '../../api/organization';
import { ErrorMessage } from '../../components/ErrorMessage';
import { RowAction } from '../../components/SettingsTable';
import { TeamMembers } from './TeamMembers';
import { TeamProjects } from './TeamProjects';

export interface TeamPermissions {
  /** `team:write`: add and remove members. */
  members: boolean;
  /** `project:write`: give and take away projects. */
  projects: boolean;
  /** `team:admin`: delete the team. */
  remove: boolean;
}

/** One team: its members and projects, and what the caller may change of them. */
export function TeamCard(props: {
  organization: string;
  team: Team;
  members: Member[];
  projects: Project[];
  may: TeamPermissions;
}) {
  const { organization, team, may } = props;
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => deleteTeam(organization, team.slug),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['teams', organization] }),
  });
  return (
    <article className="card" aria-labelledby={`team-${team.id}`}>
      <header className="card-header">
        <h3 id={`team-${team.id}`}>{team.name}</h3>
        <span className="muted">
          #{team.slug} · {team.memberCount} {team.memberCount === 1 ? 'member' : 'members'}
        </span>
        {may.remove && (
          <RowAction
            label={`Delete team ${team.slug}`}
            busy={remove.isPending}
            onClick={() => remove.mutate()}
          >
            Delete team
          </RowAction>
        )}
      </header>
      <ErrorMessage error={remove.error} />
      <TeamMembers organization={organization} team={team} members={props.members} canWrite={may.members} />
      <TeamProjects
        organization={organization}
        team={team}
        projects={props.projects}
        canWrite={may.projects}
      />
    </article>
  );
}
