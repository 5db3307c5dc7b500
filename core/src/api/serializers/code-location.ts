import { z } from 'zod';
import { formatShortId, issuePermalink, ISSUE_STATUSES, type IssueCodeLocation } from '../../issues';
import { isoDate } from './dates';

const codeFrameSchema = z
  .strictObject({
    filename: z.string().nullable(),
    absPath: z.string().nullable(),
    module: z.string().nullable(),
    function: z.string().nullable(),
    lineNo: z.number().int(),
    colNo: z.number().int().nullable(),
    contextLine: z.string().nullable(),
  })
  .meta({ id: 'CodeFrame' });

/** Faultline's own shape (Sentry has no such list): an issue, where it threw, and what a hover shows. */
export const codeLocationSchema = z
  .strictObject({
    issueId: z.string(),
    shortId: z.string(),
    title: z.string(),
    culprit: z.string(),
    level: z.string(),
    status: z.enum(ISSUE_STATUSES),
    substatus: z.string().nullable(),
    permalink: z.string(),
    project: z.strictObject({ id: z.string(), slug: z.string() }),
    count: z.number().int(),
    userCount: z.number().int(),
    events24h: z.number().int().describe('Events received in the last 24 hours'),
    firstSeen: z.iso.datetime(),
    lastSeen: z.iso.datetime(),
    eventId: z.string().describe('The latest event (in the asked environments) the frames come from'),
    release: z.string().nullable(),
    environment: z.string(),
    exceptions: z
      .array(z.strictObject({ type: z.string().nullable(), value: z.string().nullable() }))
      .describe('The exception chain of the latest event, the thrown exception first'),
    frames: z
      .array(codeFrameSchema)
      .describe('In-app frames of the thrown exception, innermost (the line that threw) first'),
  })
  .meta({ id: 'CodeLocation' });
export type CodeLocation = z.infer<typeof codeLocationSchema>;

export function serializeCodeLocation(location: IssueCodeLocation, publicUrl: string): CodeLocation {
  const { issue } = location;
  return {
    issueId: String(issue.id),
    shortId: formatShortId(issue.project_slug, issue.short_id),
    title: issue.title,
    culprit: issue.culprit,
    level: issue.level,
    status: issue.status,
    substatus: issue.substatus,
    permalink: issuePermalink(publicUrl, issue.organization_slug, issue.id),
    project: { id: String(issue.project_id), slug: issue.project_slug },
    count: issue.times_seen,
    userCount: issue.user_count,
    events24h: location.events24h,
    firstSeen: isoDate(issue.first_seen),
    lastSeen: isoDate(issue.last_seen),
    eventId: location.eventId,
    release: location.release,
    environment: location.environment,
    exceptions: location.exceptions,
    frames: location.frames,
  };
}
