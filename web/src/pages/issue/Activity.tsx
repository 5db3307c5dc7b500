import { useQuery } from '@tanstack/react-query';
import { activity } from '../../api/issues';
import { ErrorMessage } from '../../components/ErrorMessage';
import { RelativeTime } from '../../components/RelativeTime';

/** Sentry's activity types in words; anything else (a plugin's action) by its own name. */
const WORDS: Record<string, string> = {
  set_resolved: 'resolved the issue',
  set_unresolved: 'reopened the issue',
  set_ignored: 'archived the issue',
  assigned: 'assigned the issue',
  unassigned: 'unassigned the issue',
  first_seen: 'first saw this issue',
};

function describe(entry: { type: string; data: Record<string, unknown> }): string {
  if (entry.type === 'note') return `commented: “${String(entry.data.text)}”`;
  // The pipeline reopened the resolved issue because a new event came (`version`: its release).
  if (entry.type === 'set_regression')
    return entry.data.version
      ? `marked the issue as a regression in ${String(entry.data.version)}`
      : 'marked the issue as a regression';
  // A plugin's issue action (audit event `issue.action`: plugin, action, outcome).
  if (entry.type === 'issue.action')
    return `ran ${String(entry.data.plugin)}'s ${String(entry.data.action)} (${String(entry.data.outcome ?? 'done')})`;
  return WORDS[entry.type] ?? entry.type;
}

/**
 * Who did what to the issue and through which surface (web, api, slack, vscode, github, plugin):
 * state changes, comments, regressions and the first event (the last two by Faultline itself).
 */
export function Activity({ issueId }: { issueId: string }) {
  const list = useQuery({ queryKey: ['activity', issueId], queryFn: () => activity(issueId) });
  if (list.error) return <ErrorMessage error={list.error} />;
  if (!list.data) return null;
  if (list.data.length === 0) return <p className="muted">Nothing done to this issue yet.</p>;
  return (
    <ol className="activity">
      {list.data.map((entry) => (
        <li key={entry.id}>
          <strong>{entry.user?.email ?? 'Faultline'}</strong> {describe(entry)}
          {entry.surface && <span className="surface"> via {entry.surface}</span>}
          <span className="muted">
            {' · '}
            <RelativeTime iso={entry.dateCreated} />
          </span>
        </li>
      ))}
    </ol>
  );
}
