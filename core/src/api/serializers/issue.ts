import { z } from 'zod';
import { formatShortId, ISSUE_STATUSES, issuePermalink, type IssueRow } from '../../issues';
import { isoDate } from './dates';

/** Sentry's actor: who an issue is assigned to. */
export const sentryActorSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('user'), id: z.string(), name: z.string(), email: z.string() }),
    z.strictObject({ type: z.literal('team'), id: z.string(), name: z.string() }),
  ])
  .meta({ id: 'Actor' });
export type SentryActor = z.infer<typeof sentryActorSchema>;

/** `[bucket start (epoch seconds), events]` pairs per period, oldest first, as Sentry's `stats`. */
const issueStatsSchema = z.strictObject({
  '24h': z.array(z.tuple([z.number(), z.number()])).optional(),
  '14d': z.array(z.tuple([z.number(), z.number()])).optional(),
  '30d': z.array(z.tuple([z.number(), z.number()])).optional(),
});
export type IssueStats = z.infer<typeof issueStatsSchema>;

const issueFields = {
  id: z.string(),
  shortId: z.string(),
  title: z.string(),
  culprit: z.string(),
  permalink: z.string(),
  logger: z.string().nullable(),
  level: z.string(),
  status: z.enum(ISSUE_STATUSES),
  statusDetails: z.strictObject({}),
  substatus: z.string().nullable(),
  isPublic: z.boolean(),
  platform: z.string(),
  project: z.strictObject({
    id: z.string(),
    name: z.string(),
    slug: z.string(),
    platform: z.string().nullable(),
  }),
  type: z.string(),
  metadata: z.record(z.string(), z.unknown()),
  numComments: z.number().int(),
  assignedTo: sentryActorSchema.nullable(),
  isBookmarked: z.boolean(),
  isSubscribed: z.boolean(),
  subscriptionDetails: z.null(),
  hasSeen: z.boolean(),
  annotations: z.array(z.string()),
  issueType: z.string(),
  issueCategory: z.string(),
  shareId: z.null(),
  isUnhandled: z.boolean(),
  /** Sentry sends `count` as a string (it can exceed JavaScript's safe integers there). */
  count: z.string(),
  userCount: z.number().int(),
  firstSeen: z.iso.datetime(),
  lastSeen: z.iso.datetime(),
  isRegression: z.boolean().describe('Faultline: the issue was resolved and events arrived again since'),
  stats: issueStatsSchema.optional(),
};

/** Sentry's issue ("group") shape, plus Faultline's `isRegression`. */
export const sentryIssueSchema = z.strictObject(issueFields).meta({ id: 'Issue' });
export type SentryIssue = z.infer<typeof sentryIssueSchema>;

/** What `GET /api/0/issues/{id}/` adds to the list shape. */
export const sentryIssueDetailsSchema = z
  .strictObject({
    ...issueFields,
    firstRelease: z.strictObject({ version: z.string() }).nullable(),
    lastRelease: z
      .strictObject({ version: z.string() })
      .nullable()
      .describe('The release of the latest event; null when it named none'),
    userReportCount: z.number().int(),
    participants: z.array(z.never()),
    seenBy: z.array(z.never()),
    activity: z.array(z.never()),
  })
  .meta({ id: 'IssueDetails' });
export type SentryIssueDetails = z.infer<typeof sentryIssueDetailsSchema>;

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
    count: String(issue.times_seen),
    userCount: issue.user_count,
    firstSeen: isoDate(issue.first_seen),
    lastSeen: isoDate(issue.last_seen),
    isRegression: issue.is_regression,
    ...(stats ? { stats } : {}),
  };
}

/** What the detail adds to a list row's extras: the release of the issue's latest event. */
export interface IssueDetailExtras extends Required<IssueExtras> {
  lastRelease: string | null;
}

export function serializeIssueDetails(
  issue: IssueRow,
  publicUrl: string,
  extras: IssueDetailExtras,
): SentryIssueDetails {
  const release = (version: string | null) => (version === null ? null : { version });
  return {
    ...serializeIssue(issue, publicUrl, extras),
    firstRelease: release(issue.first_release),
    lastRelease: release(extras.lastRelease),
    userReportCount: 0,
    participants: [],
    seenBy: [],
    activity: [],
  };
}
