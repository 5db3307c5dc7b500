import type { IssueSummary } from '@faultline/plugin-sdk';
import { formatShortId, issuePermalink } from './links';
import type { IssueRow } from './queries';

/**
 * An issue as plugins see it (hooks, alert notifications, the issues service): the fields the REST
 * API serializes, with the same short id and permalink. A team assignment shows as unassigned, since
 * the contract names users only.
 */
export function issueSummaryOf(row: IssueRow, publicUrl: string): IssueSummary {
  return {
    id: String(row.id),
    projectId: String(row.project_id),
    shortId: formatShortId(row.project_slug, row.short_id),
    title: row.title,
    culprit: row.culprit === '' ? null : row.culprit,
    level: row.level,
    status: row.status,
    assignedTo: row.assigned_user_id === null ? null : { userId: String(row.assigned_user_id) },
    firstSeen: new Date(row.first_seen).toISOString(),
    lastSeen: new Date(row.last_seen).toISOString(),
    count: row.times_seen,
    userCount: row.user_count,
    permalink: issuePermalink(publicUrl, row.organization_slug, row.id),
  };
}
