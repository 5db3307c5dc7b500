import { z } from 'zod';
import { ALL_SCOPES } from '../../access';
import type { OrganizationRow } from '../../organizations';
import { isoDate } from './dates';

const organizationFields = {
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  dateCreated: z.iso.datetime(),
  status: z.strictObject({ id: z.literal('active'), name: z.literal('active') }),
  isEarlyAdopter: z.boolean(),
  require2FA: z.boolean(),
  avatar: z.strictObject({
    avatarType: z.literal('letter_avatar'),
    avatarUuid: z.null(),
    avatarUrl: z.null(),
  }),
  features: z.array(z.string()),
  hasAuthProvider: z.boolean(),
  links: z.strictObject({ organizationUrl: z.string(), regionUrl: z.string() }),
};

/** Sentry's organization summary, as `GET /api/0/organizations/` lists it. */
export const sentryOrganizationSchema = z.strictObject(organizationFields).meta({ id: 'Organization' });
export type SentryOrganization = z.infer<typeof sentryOrganizationSchema>;

/** One organization as `GET /api/0/organizations/{org}/` shows it: with the caller's scopes and role. */
export const sentryOrganizationDetailsSchema = z
  .strictObject({
    ...organizationFields,
    access: z.array(z.enum(ALL_SCOPES)),
    orgRole: z.string().nullable(),
  })
  .meta({ id: 'OrganizationDetails' });

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
