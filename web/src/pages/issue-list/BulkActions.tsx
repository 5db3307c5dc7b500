import { useMutation } from '@tanstack/react-query';
import { changeIssues, type IssueChange } from '../../api/issues';
import { AssigneePicker } from '../../components/AssigneePicker';
import { ErrorMessage } from '../../components/ErrorMessage';

/**
 * What can be done to the selected rows at once, through Sentry's bulk update on the list's own
 * route (`PUT …/issues/?id=1&id=2`): one request, one change per issue on the change stream.
 */
export function BulkActions({
  organization,
  project,
  selected,
  onDone,
}: {
  organization: string;
  project: string;
  selected: string[];
  onDone: () => void;
}) {
  const change = useMutation({
    mutationFn: (what: IssueChange) => changeIssues(organization, project, selected, what),
    onSuccess: onDone,
  });
  const none = selected.length === 0 || change.isPending;
  const button = (action: 'resolve' | 'archive' | 'unresolve', label: string) => (
    <button type="button" className="secondary" disabled={none} onClick={() => change.mutate({ action })}>
      {label}
    </button>
  );
  return (
    <div className="bulk-actions" role="toolbar" aria-label="Selected issues">
      <span className="muted">{selected.length} selected</span>
      {button('resolve', 'Resolve')}
      {button('archive', 'Archive')}
      {button('unresolve', 'Unresolve')}
      <AssigneePicker
        organization={organization}
        disabled={none}
        onAssign={(assignedTo) => change.mutate({ action: 'assign', assignedTo })}
      />
      <ErrorMessage error={change.error} />
    </div>
  );
}
