import type { OrganizationRow } from '../../organizations';
import { isoDate } from './dates';

/** Sentry's organization summary, as `GET /api/0/organizations/` lists it. */
export interface SentryOrganization {
  id: string;
  slug: string;
  name: string;
  dateCreated: string;
  status: { id: 'active'; name: 'active' };
  isEarlyAdopter: boolean;
  require2FA: boolean;
  avatar: { avatarType: 'letter_avatar'; avatarUuid: null; avatarUrl: null };
  features: string[];
  hasAuthProvider: boolean;
  links: { organizationUrl: string; regionUrl: string };
}

export function serializeOrganization(organization: OrganizationRow, publicUrl: string): SentryOrganization {
  return {
    id: String(organization.id),
    slug: organization.slug,
    name: organization.name,
    dateCreated: isoDate(organization.created_at),
    status: { id: 'active', name: 'active' },
    isEarlyAdopter: false,
    require2FA: organization.require_2fa,
    avatar: { avatarType: 'letter_avatar', avatarUuid: null, avatarUrl: null },
    features: [],
    hasAuthProvider: false,
    links: { organizationUrl: `${publicUrl}/organizations/${organization.slug}/`, regionUrl: publicUrl },
  };
}
