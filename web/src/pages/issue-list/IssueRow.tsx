import { Link } from 'react-router';
import type { Issue, StatsPeriod } from '../../api/issues';
import { RelativeTime } from '../../components/RelativeTime';
import { Sparkline } from './Sparkline';

/** The assignee in words: a person's name or email, or a team as #name. */
export function assigneeName(assignee: Issue['assignedTo']): string {
  if (!assignee) return 'Unassigned';
  return assignee.type === 'team' ? `#${assignee.name}` : assignee.name || assignee.email;
}

export function IssueRow({
  issue,
  organization,
  period,
  selected,
  onSelect,
}: {
  issue: Issue;
  organization: string;
  period: StatsPeriod;
  /** Undefined: the caller can't change issues, so there is nothing to select them for. */
  selected: boolean | undefined;
  onSelect: (selected: boolean) => void;
}) {
  return (
    <tr aria-selected={selected}>
      {selected !== undefined && (
        <td className="select">
          <input
            type="checkbox"
            checked={selected}
            onChange={(event) => onSelect(event.target.checked)}
            aria-label={`Select ${issue.shortId}`}
          />
        </td>
      )}
      <td>
        <div className="issue-title">
          <span className={`level level-${issue.level}`}>{issue.level}</span>
          <Link to={`/organizations/${organization}/issues/${issue.id}/`}>{issue.title}</Link>
        </div>
        <div className="issue-meta">
          <span className="short-id">{issue.shortId}</span>
          {issue.culprit && <span className="culprit">{issue.culprit}</span>}
          <span>
            first seen <RelativeTime iso={issue.firstSeen} />
          </span>
        </div>
      </td>
      <td className="graph" data-label={period}>
        <Sparkline series={issue.stats?.[period]} period={period} />
      </td>
      <td className="num" data-label="Events">
        {Number(issue.count).toLocaleString()}
      </td>
      <td className="num" data-label="Users">
        {issue.userCount.toLocaleString()}
      </td>
      <td data-label="Last seen">
        <RelativeTime iso={issue.lastSeen} />
      </td>
      <td data-label="Assignee" className="assignee">
        {assigneeName(issue.assignedTo)}
      </td>
    </tr>
  );
}
