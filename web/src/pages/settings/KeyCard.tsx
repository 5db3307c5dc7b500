import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { rotateProjectKey, updateProjectKey, type ProjectKey, type RateLimit } from '../../api/settings';
import { CopyButton } from '../../components/CopyButton';
import { ErrorMessage } from '../../components/ErrorMessage';
import { RateLimitForm } from './RateLimitForm';
import { SetupSnippet } from './SetupSnippet';

interface Props {
  projectKey: ProjectKey;
  organization: string;
  project: string;
  /** Whether to offer the changes (project:write); without it the key is shown, not changed. */
  canWrite: boolean;
}

export function describeRateLimit(limit: RateLimit | null): string {
  if (!limit) return 'No rate limit of its own (the server default applies).';
  return `At most ${limit.count} events per ${limit.window} seconds.`;
}

/** One key: its DSN to copy, setup snippets, and (for those who may) disable, rotate, rate limit. */
export function KeyCard({ projectKey: key, organization, project, canWrite }: Props) {
  const queryClient = useQueryClient();
  const [confirmingRotate, setConfirmingRotate] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['keys', organization, project] });
  const update = useMutation({
    mutationFn: (body: { isActive?: boolean; rateLimit?: RateLimit | null }) =>
      updateProjectKey(organization, project, key.id, body),
    onSuccess: refresh,
  });
  const rotate = useMutation({
    mutationFn: () => rotateProjectKey(organization, project, key.id),
    onSuccess: refresh,
  });
  const dsnId = `dsn-${key.id}`;

  return (
    <article className="card" aria-labelledby={`key-${key.id}`}>
      <header className="card-header">
        <h3 id={`key-${key.id}`}>{key.name}</h3>
        <span className={key.isActive ? 'status' : 'status status-off'}>
          {key.isActive ? 'Active' : 'Disabled'}
        </span>
      </header>
      <div className="copy-row">
        <label htmlFor={dsnId}>DSN</label>
        <input id={dsnId} readOnly value={key.dsn.public} onFocus={(e) => e.currentTarget.select()} />
        <CopyButton text={key.dsn.public} label={`Copy the DSN of ${key.name}`} />
      </div>
      <p className="muted">{describeRateLimit(key.rateLimit)}</p>
      {canWrite && (
        <div className="actions">
          <button
            type="button"
            className="secondary"
            disabled={update.isPending}
            onClick={() => update.mutate({ isActive: !key.isActive })}
          >
            {key.isActive ? 'Disable' : 'Enable'}
          </button>
          {confirmingRotate ? (
            <>
              <span>The old DSN stops working now.</span>
              <button type="button" disabled={rotate.isPending} onClick={() => rotate.mutate()}>
                Rotate now
              </button>
              <button type="button" className="secondary" onClick={() => setConfirmingRotate(false)}>
                Keep it
              </button>
            </>
          ) : (
            <button type="button" className="secondary" onClick={() => setConfirmingRotate(true)}>
              Rotate…
            </button>
          )}
          <ErrorMessage error={update.error ?? rotate.error} />
          <RateLimitForm
            keyId={key.id}
            current={key.rateLimit}
            busy={update.isPending}
            onSave={(rateLimit) => update.mutate({ rateLimit })}
          />
        </div>
      )}
      <SetupSnippet dsn={key.dsn.public} keyId={key.id} />
    </article>
  );
}
