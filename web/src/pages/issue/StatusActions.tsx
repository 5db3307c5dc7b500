import { useMutation, useQueryClient } from '@tanstack/react-query';
import { changeIssue, type IssueChange, type IssueDetails } from '../../api/issues';
import { AssigneePicker } from '../../components/AssigneePicker';
import { ErrorMessage } from '../../components/ErrorMessage';
import { assigneeName } from '../issue-list/IssueRow';

/** The words for an issue's state, as the list's tabs name them. */
function statusLabel(issue: IssueDetails): string {
  if (issue.status === 'resolved') return 'Resolved';
  if (issue.status === 'ignored') return 'Archived';
  if (issue.isRegression) return 'Regressed';
  return 'Unresolved';
}

/**
 * The issue's state and assignee, with the changes the caller may make: resolve or archive an open
 * issue, reopen a closed one, assign it. Without `event:write` only the state shows.
 */
export function StatusActions({
  organization,
  issue,
  canTriage,
}: {
  organization: string;
  issue: IssueDetails;
  canTriage: boolean;
}) {
  const queryClient = useQueryClient();
  const change = useMutation({
    mutationFn: (what: IssueChange) => changeIssue(organization, issue.id, what),
    onSettled: async () => {
      await queryClient.invalidateQueries({ queryKey: ['issue', issue.id] });
      await queryClient.invalidateQueries({ queryKey: ['activity', issue.id] });
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['issues'] }),
  });
  const assignee = issue.assignedTo;
  return (
    <>
      <div className="issue-state">
        <span className="status" data-status={issue.status}>
          {statusLabel(issue)}
        </span>
        {canTriage &&
          (issue.status === 'unresolved' ? (
            <>
              <button
                type="button"
                disabled={change.isPending}
                onClick={() => change.mutate({ action: 'resolve' })}
              >
                Resolve
              </button>
              <button
                type="button"
                className="secondary"
                disabled={change.isPending}
                onClick={() => change.mutate({ action: 'archive' })}
              >
                Archive
              </button>
            </>
          ) : (
            <button
              type="button"
              className="secondary"
              disabled={change.isPending}
              onClick={() => change.mutate({ action: 'unresolve' })}
            >
              Unresolve
            </button>
          ))}
        {canTriage ? (
          <AssigneePicker
            organization={organization}
            current={assignee?.type === 'user' ? `user:${assignee.id}` : null}
            disabled={change.isPending}
            onAssign={(assignedTo) => change.mutate({ action: 'assign', assignedTo })}
          />
        ) : (
          <span className="muted">Assignee: {assigneeName(assignee)}</span>
        )}
      </div>
      <ErrorMessage error={change.error} />
    </>
  );
}
