import type { ProjectRow } from '../../organizations';
import { isoDate, isoDateOrNull } from './dates';

/** Sentry's project summary, with the organization it belongs to. */
export interface SentryProject {
  id: string;
  slug: string;
  name: string;
  platform: string | null;
  dateCreated: string;
  isBookmarked: boolean;
  isMember: boolean;
  hasAccess: boolean;
  isPublic: boolean;
  status: 'active';
  features: string[];
  firstEvent: string | null;
  organization: { id: string; slug: string; name: string };
}

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
