import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { issueActions, runIssueAction } from '../../api/issues';
import { ErrorMessage } from '../../components/ErrorMessage';
import { SchemaForm } from '../../components/SchemaForm';

type Action = Awaited<ReturnType<typeof issueActions>>[number];

/**
 * The plugins' actions on the issue ("Create GitHub issue"…) as buttons; each opens a form made from
 * the action's JSON Schema and runs it as the signed-in person. Offered only to those who may
 * change the issue, since the API refuses anyone else.
 */
export function PluginActions({ issueId }: { issueId: string }) {
  const list = useQuery({ queryKey: ['issue-actions', issueId], queryFn: () => issueActions(issueId) });
  const [open, setOpen] = useState<Action | undefined>(undefined);
  if (list.error) return <ErrorMessage error={list.error} />;
  if (!list.data || list.data.length === 0) return null;
  return (
    <section aria-label="Plugin actions">
      <div className="plugin-actions">
        {list.data.map((action) => (
          <button
            key={`${action.plugin}/${action.id}`}
            type="button"
            className="secondary"
            aria-expanded={open === action}
            title={action.description ?? undefined}
            onClick={() => setOpen(open === action ? undefined : action)}
          >
            {action.label}
          </button>
        ))}
      </div>
      {open && (
        <ActionForm
          key={`${open.plugin}/${open.id}`}
          issueId={issueId}
          action={open}
          onClose={() => setOpen(undefined)}
        />
      )}
    </section>
  );
}

function ActionForm({ issueId, action, onClose }: { issueId: string; action: Action; onClose: () => void }) {
  const queryClient = useQueryClient();
  const run = useMutation({
    mutationFn: (input: Record<string, unknown>) => runIssueAction(issueId, action, input),
    // An action may change the issue, link an external issue, and always leaves an activity entry.
    onSuccess: () => {
      for (const key of ['issue', 'external-issues', 'activity'])
        void queryClient.invalidateQueries({ queryKey: [key, issueId] });
    },
  });
  return (
    <div className="action-form" role="group" aria-label={action.label}>
      <h3>{action.label}</h3>
      {action.description && <p className="muted">{action.description}</p>}
      <SchemaForm schema={action.inputSchema} onSubmit={(input) => run.mutate(input)}>
        <div className="comment-actions">
          <button type="submit" disabled={run.isPending}>
            Run
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            Close
          </button>
        </div>
      </SchemaForm>
      <ErrorMessage error={run.error} />
      {run.data && (
        <p role="status" className="action-result">
          {run.data.message}
          {run.data.url && (
            <>
              {' '}
              <a href={run.data.url} rel="noreferrer" target="_blank">
                Open
              </a>
            </>
          )}
        </p>
      )}
    </div>
  );
}
