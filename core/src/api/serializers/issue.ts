import { formatShortId, issuePermalink, type IssueRow, type IssueStatus } from '../../issues';
import { isoDate } from './dates';

/** Sentry's actor: who an issue is assigned to. */
export type SentryActor =
  { type: 'user'; id: string; name: string; email: string } | { type: 'team'; id: string; name: string };

/** `[bucket start (epoch seconds), events]` pairs per period, oldest first, as Sentry's `stats`. */
export type IssueStats = Partial<Record<'24h' | '14d' | '30d', [number, number][]>>;

/** Sentry's issue ("group") shape, plus Faultline's `isRegression`. */
export interface SentryIssue {
  id: string;
  shortId: string;
  title: string;
  culprit: string;
  permalink: string;
  logger: string | null;
  level: string;
  status: IssueStatus;
  statusDetails: Record<string, never>;
  substatus: string | null;
  isPublic: boolean;
  platform: string;
  project: { id: string; name: string; slug: string; platform: string | null };
  type: string;
  metadata: Record<string, unknown>;
  numComments: number;
  assignedTo: SentryActor | null;
  isBookmarked: boolean;
  isSubscribed: boolean;
  subscriptionDetails: null;
  hasSeen: boolean;
  annotations: string[];
  issueType: string;
  issueCategory: string;
  shareId: null;
  isUnhandled: boolean;
  count: string;
  userCount: number;
  firstSeen: string;
  lastSeen: string;
  /** Faultline: the issue was resolved and events arrived again since. */
  isRegression: boolean;
  stats?: IssueStats;
}

/** What `GET /api/0/issues/{id}/` adds to the list shape. */
export interface SentryIssueDetails extends SentryIssue {
  firstRelease: { version: string } | null;
  userReportCount: number;
  participants: never[];
  seenBy: never[];
  activity: never[];
}

export function serializeAssignee(issue: IssueRow): SentryActor | null {
  if (issue.assigned_user_id !== null && issue.assignee_email !== null) {
    return {
      type: 'user',
      id: String(issue.assigned_user_id),
      name: issue.assignee_name || issue.assignee_email,
      email: issue.assignee_email,
    };
  }
  if (issue.assigned_team_id !== null && issue.assignee_team_slug !== null) {
    return { type: 'team', id: String(issue.assigned_team_id), name: issue.assignee_team_slug };
  }
  return null;
}

/** What an issue answer adds to the row: its event counts per period and its number of comments. */
export interface IssueExtras {
  stats?: IssueStats;
  numComments?: number;
}

export function serializeIssue(issue: IssueRow, publicUrl: string, extras: IssueExtras = {}): SentryIssue {
  const { stats, numComments = 0 } = extras;
  return {
    id: String(issue.id),
    shortId: formatShortId(issue.project_slug, issue.short_id),
    title: issue.title,
    culprit: issue.culprit,
    permalink: issuePermalink(publicUrl, issue.organization_slug, issue.id),
    logger: issue.logger,
    level: issue.level,
    status: issue.status,
    statusDetails: {},
    substatus: issue.substatus,
    isPublic: false,
    platform: issue.platform,
    project: {
      id: String(issue.project_id),
      name: issue.project_name,
      slug: issue.project_slug,
      platform: issue.project_platform,
    },
    type: issue.type,
    metadata: issue.metadata,
    numComments,
    assignedTo: serializeAssignee(issue),
    isBookmarked: false,
    isSubscribed: false,
    subscriptionDetails: null,
    hasSeen: false,
    annotations: [],
    issueType: 'error',
    issueCategory: 'error',
    shareId: null,
    isUnhandled: issue.is_unhandled,
    // Sentry sends `count` as a string (it can exceed JavaScript's safe integers there).
    count: String(issue.times_seen),
    userCount: issue.user_count,
    firstSeen: isoDate(issue.first_seen),
    lastSeen: isoDate(issue.last_seen),
    isRegression: issue.is_regression,
    ...(stats ? { stats } : {}),
  };
}

export function serializeIssueDetails(
  issue: IssueRow,
  publicUrl: string,
  extras: Required<IssueExtras>,
): SentryIssueDetails {
  return {
    ...serializeIssue(issue, publicUrl, extras),
    firstRelease: issue.first_release === null ? null : { version: issue.first_release },
    userReportCount: 0,
    participants: [],
    seenBy: [],
    activity: [],
  };
}
