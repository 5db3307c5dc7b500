import { z } from 'zod';
import {
  confirmLink,
  createLinkRequest,
  externalId,
  linksOfOrganization,
  linksOfUser,
  openLinkRequest,
  unlinkByIdentity,
  unlinkByUser,
  type IdentityLinkRow,
  type Sealer,
} from '../../identities';
import { idFromPath } from '../../organizations';
import { auditActor } from '../audit-actor';
import type { IntegrationClient } from '@faultline/plugin-sdk';
import { route, type ApiRoute } from '../define-route';
import type { ApiDependencies } from '../dependencies';
import { isoDate } from '../serializers/dates';
import { single } from '../validation';

/** The purpose the link requests are sealed under (`AuthServices.secretBox`). */
export const ACCOUNT_LINK_PURPOSE = 'account-links';

/**
 * The web UI's page the link an integration sends points at (`…?token=<sealed request>`): the person
 * sees who asks to act as them and confirms through the two session routes below.
 */
export const ACCOUNT_LINK_PATH = '/account-links/confirm';

/** A link's token: the sealed request, as the link carries it. */
const linkToken = z.string().min(1).max(1000);

const identityBody = z.strictObject({
  externalWorkspaceId: z.string().min(1).max(64),
  externalUserId: z.string().min(1).max(64),
});

/** A Slack or GitHub identity linked to a Faultline user in one organization. */
const identityLinkSchema = z
  .strictObject({
    id: z.string(),
    provider: z.string(),
    organization: z.string(),
    externalWorkspaceId: z.string(),
    externalUserId: z.string(),
    dateCreated: z.iso.datetime(),
  })
  .meta({ id: 'IdentityLink' });

/** A link as its integration sees it: which Faultline user (a member) the external user is. */
const organizationLinkSchema = identityLinkSchema
  .extend({ userId: z.string() })
  .meta({ id: 'OrganizationIdentityLink' });

/** The short-lived, single-use, signed link an integration sends the person to confirm on. */
const linkRequestSchema = z
  .strictObject({ url: z.string(), expiresAt: z.iso.datetime() })
  .meta({ id: 'IdentityLinkRequest' });

/** Who asks, through a link, to act as the person who opened it; nothing is linked yet. */
const pendingLinkSchema = z
  .strictObject({
    provider: z.string(),
    organization: z.string(),
    externalWorkspaceId: z.string(),
    externalUserId: z.string(),
    expiresAt: z.iso.datetime(),
  })
  .meta({ id: 'PendingIdentityLink' });

function serializeLink(link: IdentityLinkRow): z.input<typeof identityLinkSchema> {
  return {
    id: String(link.id),
    provider: link.provider,
    organization: link.organization_slug,
    externalWorkspaceId: link.external_workspace_id,
    externalUserId: link.external_user_id,
    dateCreated: isoDate(link.created_at),
  };
}

/**
 * Linked accounts (Faultline's own routes): an integration's organization token asks for a link to
 * send an external user and unlinks from its side; a person lists and removes their links. The
 * rules live in `identities/`; the web UI's page at `ACCOUNT_LINK_PATH` confirms a link with the
 * session routes here (a session, not a token: the person confirms in their own browser, and the
 * write carries the session's CSRF token, so no other site can link an account for a visitor).
 */
export function externalIdentityRoutes({ knex, config, auth }: ApiDependencies): ApiRoute[] {
  // Built on first use: describing the API (no secrets, no database) must not need it.
  let sealer: Sealer | undefined;
  const links = () => (sealer ??= auth.secretBox(ACCOUNT_LINK_PURPOSE));
  const identityOf = (provider: IntegrationClient, body: z.output<typeof identityBody>) => ({
    provider,
    workspaceId: externalId(body.externalWorkspaceId, 'externalWorkspaceId'),
    userId: externalId(body.externalUserId, 'externalUserId'),
  });

  return [
    route({
      method: 'post',
      path: '/api/0/organizations/:organization/external-identities/link-requests/',
      scope: 'org:read',
      resource: 'organization',
      integration: true,
      summary:
        "An integration's token asks for a single-use link (10 minutes) to send an external user, who opens it signed in to Faultline to link their account",
      body: identityBody,
      status: 201,
      response: linkRequestSchema,
      handler: async ({ caller, integration, target: { access }, body }) => {
        const identity = identityOf(integration, body);
        const made = await createLinkRequest(knex, links(), {
          organizationId: access.organization.id,
          identity,
          tokenId: caller.tokenId,
        });
        const url = new URL(ACCOUNT_LINK_PATH, config.http.publicUrl);
        url.searchParams.set('token', made.token);
        return { url: url.toString(), expiresAt: isoDate(made.expiresAt) };
      },
    }),
    route({
      method: 'get',
      path: '/api/0/organizations/:organization/external-identities/',
      scope: 'member:read',
      resource: 'organization',
      integration: true,
      summary:
        "An integration's token lists its provider's linked accounts in the organization (members only), e.g. whom Slack may offer to assign",
      response: z.array(organizationLinkSchema),
      handler: async ({ integration, target: { access } }) => {
        const rows = await linksOfOrganization(knex, access.organization.id, integration);
        return rows.map((row) => ({ ...serializeLink(row), userId: String(row.user_id) }));
      },
    }),
    route({
      method: 'delete',
      path: '/api/0/organizations/:organization/external-identities/',
      scope: 'org:read',
      resource: 'organization',
      integration: true,
      summary: "An integration's token unlinks an external user from their Faultline account",
      body: identityBody,
      response: null,
      handler: async ({ ctx, caller, integration, target: { access }, body }) => {
        await unlinkByIdentity(knex, {
          organizationId: access.organization.id,
          identity: identityOf(integration, body),
          actor: auditActor(ctx, caller),
        });
        return undefined;
      },
    }),
    route({
      method: 'get',
      path: '/api/0/users/me/external-identities/link-requests/',
      scope: null,
      resource: 'session',
      summary:
        "What an integration's link asks (which Slack or GitHub user, in which organization), for the signed-in person to confirm; links nothing",
      query: z.object({ token: single(linkToken) }),
      response: pendingLinkSchema,
      errors: [410],
      handler: async ({ query }) => {
        const request = await openLinkRequest(knex, links(), query.token, { consume: false });
        return {
          provider: request.identity.provider,
          organization: request.organizationSlug,
          externalWorkspaceId: request.identity.workspaceId,
          externalUserId: request.identity.userId,
          expiresAt: isoDate(request.expiresAt),
        };
      },
    }),
    route({
      method: 'post',
      path: '/api/0/users/me/external-identities/',
      scope: null,
      resource: 'session',
      summary:
        "Confirms an integration's link as the signed-in person (a member of its organization): the Slack or GitHub identity may then act as them there. Single-use",
      body: z.strictObject({ token: linkToken }),
      status: 201,
      response: identityLinkSchema,
      errors: [409, 410],
      handler: async ({ ctx, caller, target: { user }, body }) =>
        serializeLink(
          await confirmLink(knex, links(), { token: body.token, user, actor: auditActor(ctx, caller) }),
        ),
    }),
    route({
      method: 'get',
      path: '/api/0/users/me/external-identities/',
      scope: 'org:read',
      resource: 'user',
      summary: "The caller's linked Slack and GitHub accounts, in every organization",
      response: z.array(identityLinkSchema),
      handler: async ({ target: { user } }) => (await linksOfUser(knex, user.id)).map(serializeLink),
    }),
    route({
      method: 'delete',
      path: '/api/0/users/me/external-identities/:linkId/',
      scope: 'org:read',
      resource: 'user',
      summary: 'Unlinks one of the caller’s linked accounts',
      response: null,
      handler: async ({ ctx, caller, params, target: { user } }) => {
        const linkId = idFromPath(params.linkId) ?? -1;
        await unlinkByUser(knex, { userId: user.id, linkId, actor: auditActor(ctx, caller) });
        return undefined;
      },
    }),
  ];
}
