import { z } from 'zod';
import { createUser, startSession } from '../../auth';
import { ConflictError, FaultlineError } from '../../errors';
import { acceptInvite, openInvite, type MemberRow } from '../../organizations';
import { auditActor } from '../audit-actor';
import { sessionCaller } from '../auth';
import { route, type ApiRoute } from '../define-route';
import type { ApiDependencies } from '../dependencies';
import { sentryMemberSchema } from '../serializers/access';
import { isoDate } from '../serializers/dates';
import { sentryUserSchema, serializeUser } from '../serializers/user';
import { applyCookies, clientInfo } from '../session-cookies';
import { memberAnswer } from './members';

/** What an invitation link offers: shown to anyone holding the link, signed in or not. */
const inviteOfferSchema = z
  .strictObject({
    organization: z.strictObject({ slug: z.string(), name: z.string() }),
    email: z.string().describe('The address invited; any signed-in person holding the link may accept'),
    role: z.string(),
    dateExpires: z.iso.datetime(),
  })
  .meta({ id: 'InviteOffer' });

/** The invitation a link names: `/accept-invite/{inviteId}/{token}/`. */
function inviteLink(params: Record<string, string>): { inviteId: string; token: string } {
  return { inviteId: params.inviteId, token: params.token };
}

/**
 * The invitation link's side (`/accept/{inviteId}/{token}/` in the web UI): what it offers, shown to
 * whoever holds it, and accepting it, signed in or with a new account for the invited email.
 */
export function inviteLinkRoutes({ knex, auth }: ApiDependencies): ApiRoute[] {
  const serializeOne = (member: MemberRow) => memberAnswer(knex, member);

  return [
    route({
      method: 'get',
      path: '/api/0/accept-invite/:inviteId/:token/',
      scope: null,
      resource: 'public',
      summary:
        'What an invitation link offers (organization, role, invited email), before accepting it; 410 once it expired, 404 for a revoked or mistyped link',
      response: inviteOfferSchema,
      errors: [404, 410],
      handler: async ({ params }) => {
        const { invite, organization } = await openInvite(knex, inviteLink(params));
        return {
          organization: { slug: organization.slug, name: organization.name },
          email: invite.email,
          role: invite.role,
          dateExpires: isoDate(invite.expires_at),
        };
      },
    }),
    route({
      method: 'post',
      path: '/api/0/accept-invite/:inviteId/:token/account/',
      scope: null,
      resource: 'public',
      summary:
        'Creates an account for the invited email with a password, accepts the invitation with it and signs it in (409 when that email already has an account: sign in, then accept)',
      body: z.strictObject({ password: z.string().min(1).max(1024) }),
      status: 201,
      response: z.strictObject({ user: sentryUserSchema, member: sentryMemberSchema, csrfToken: z.string() }),
      errors: [404, 409, 410],
      handler: async ({ ctx, params, body }) => {
        const { invite } = await openInvite(knex, inviteLink(params));
        // One transaction with the password: one the policy refuses leaves no account behind.
        const { user } = await createUser(
          knex,
          { email: invite.email, password: body.password },
          auth.passwords.hasher,
        ).catch((error: unknown) => {
          if (error instanceof FaultlineError && error.code === 'user_exists')
            throw new ConflictError(
              `${invite.email} already has a Faultline account: sign in with it, then accept the invitation`,
              'user_exists',
            );
          throw error;
        });
        const signedIn = await startSession(auth, user, { secondFactorPassed: false, ...clientInfo(ctx) });
        const member = await acceptInvite(knex, {
          ...inviteLink(params),
          user,
          actor: auditActor(ctx, sessionCaller(signedIn)),
        });
        applyCookies(ctx, signedIn.cookies);
        return {
          user: serializeUser(user, false),
          member: await serializeOne(member),
          csrfToken: signedIn.session.csrfToken,
        };
      },
    }),
    route({
      method: 'post',
      path: '/api/0/accept-invite/:inviteId/:token/',
      scope: 'org:read',
      resource: 'user',
      summary: 'Accepts an invitation as the signed-in user, who becomes a member with the invited role',
      response: sentryMemberSchema,
      errors: [409, 410],
      handler: async ({ ctx, caller, params, target: { user } }) => {
        const member = await acceptInvite(knex, {
          inviteId: params.inviteId,
          token: params.token,
          user,
          actor: auditActor(ctx, caller),
        });
        return serializeOne(member);
      },
    }),
  ];
}
