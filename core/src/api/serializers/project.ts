import { z } from 'zod';
import type { ProjectRow } from '../../organizations';
import { isoDate, isoDateOrNull } from './dates';

/** Sentry's project summary, with the organization it belongs to. */
export const sentryProjectSchema = z
  .strictObject({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    platform: z.string().nullable(),
    dateCreated: z.iso.datetime(),
    isBookmarked: z.boolean(),
    isMember: z.boolean(),
    hasAccess: z.boolean(),
    isPublic: z.boolean(),
    status: z.literal('active'),
    features: z.array(z.string()),
    firstEvent: z.iso.datetime().nullable(),
    organization: z.strictObject({ id: z.string(), slug: z.string(), name: z.string() }),
  })
  .meta({ id: 'Project' });
export type SentryProject = z.infer<typeof sentryProjectSchema>;

export function serializeProject(project: ProjectRow): SentryProject {
  return {
    id: String(project.id),
    slug: project.slug,
    name: project.name,
    platform: project.platform,
    dateCreated: isoDate(project.created_at),
    isBookmarked: false,
    isMember: true,
    hasAccess: true,
    isPublic: false,
    status: 'active',
    features: [],
    firstEvent: isoDateOrNull(project.first_event),
    organization: {
      id: String(project.organization_id),
      slug: project.organization_slug,
      name: project.organization_name,
    },
  };
}
