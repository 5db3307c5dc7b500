import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useParams } from 'react-router';
import { createProjectKey, projectKeys } from '../../api/settings';
import { ErrorMessage } from '../../components/ErrorMessage';
import { QueryError } from '../../components/QueryError';
import { useOrganizationAccess } from '../../settings/access';
import { KeyCard } from './KeyCard';

/** A project's client keys: their DSNs with setup snippets; creating and changing them for those who may. */
export function ProjectKeysPage() {
  const { organization = '', project = '' } = useParams();
  const queryKey = ['keys', organization, project];
  const queryClient = useQueryClient();
  const access = useOrganizationAccess(organization);
  const keys = useQuery({ queryKey, queryFn: () => projectKeys(organization, project) });
  const create = useMutation({
    mutationFn: (name: string) => createProjectKey(organization, project, { name: name || undefined }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey }),
  });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const name = String(new FormData(form).get('name') ?? '').trim();
    create.mutate(name, { onSuccess: () => form.reset() });
  };

  return (
    <>
      <h2>Client keys (DSN)</h2>
      <p className="muted">
        An SDK sends events with a key&apos;s DSN. Disable a key to refuse its events; rotate it to replace a
        DSN that leaked.
      </p>
      {access.can('project:write') && (
        <form className="inline-form" onSubmit={submit}>
          <label>
            New key&apos;s name
            <input name="name" maxLength={64} placeholder="Default" />
          </label>
          <button type="submit" disabled={create.isPending}>
            Create key
          </button>
          <ErrorMessage error={create.error} />
        </form>
      )}
      {keys.error ? (
        <QueryError error={keys.error} />
      ) : !keys.data ? (
        <p className="muted">Loading…</p>
      ) : keys.data.length === 0 ? (
        <p className="empty">This project has no keys.</p>
      ) : (
        keys.data.map((key) => (
          <KeyCard
            key={key.id}
            projectKey={key}
            organization={organization}
            project={project}
            canWrite={access.can('project:write')}
          />
        ))
      )}
    </>
  );
}
