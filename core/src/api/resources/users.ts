import { z } from 'zod';
import {
  beginTotpEnrolment,
  confirmTotpEnrolment,
  disableTwoFactor,
  regenerateRecoveryCodes,
} from '../../auth';
import { route, type ApiRoute } from '../define-route';
import type { ApiDependencies } from '../dependencies';
import { sentryUserSchema, serializeUser } from '../serializers/user';
import { applyCookies, clientInfo } from '../session-cookies';

/** A TOTP secret being enrolled: shown this once, for an authenticator app. */
const totpEnrolmentSchema = z
  .strictObject({
    secret: z.string().describe('Base32 seed, for typing into an authenticator by hand'),
    otpauthUri: z.string().describe('otpauth://totp/… URI, for a QR code'),
  })
  .meta({ id: 'TotpEnrolment' });

/** New recovery codes, shown this once. */
const recoveryCodesAnswer = z.strictObject({ recoveryCodes: z.array(z.string()) });

const passwordBody = z.strictObject({ password: z.string().min(1).max(1024) });

/** The caller's own account, and its second factor (managed from a signed-in session only). */
export function userRoutes({ auth }: ApiDependencies): ApiRoute[] {
  return [
    route({
      method: 'get',
      path: '/api/0/users/me/',
      scope: 'org:read',
      resource: 'user',
      summary: 'The calling user (signed in, or through a user API token)',
      response: sentryUserSchema,
      handler: async ({ target: { user } }) => serializeUser(user, await auth.twoFactor.userHas2FA(user.id)),
    }),
    route({
      method: 'post',
      path: '/api/0/users/me/2fa/totp/',
      scope: null,
      resource: 'session',
      summary:
        'Starts TOTP enrolment: a new secret and its otpauth:// URI (for a QR code); inactive until confirmed',
      status: 201,
      response: totpEnrolmentSchema,
      handler: async ({ target: { user, session } }) => beginTotpEnrolment(auth, { user, session }),
    }),
    route({
      method: 'post',
      path: '/api/0/users/me/2fa/totp/confirm/',
      scope: null,
      resource: 'session',
      summary: 'Turns 2FA on with a first code; answers the recovery codes, shown this once',
      body: z.strictObject({ code: z.string().trim().min(1).max(64) }),
      response: recoveryCodesAnswer.extend({ csrfToken: z.string() }),
      handler: async ({ ctx, target: { user, session }, body }) => {
        const enabled = await confirmTotpEnrolment(auth, { user, session }, body.code);
        applyCookies(ctx, enabled.cookies);
        return { recoveryCodes: enabled.recoveryCodes, csrfToken: enabled.session.csrfToken };
      },
    }),
    route({
      method: 'delete',
      path: '/api/0/users/me/2fa/',
      scope: null,
      resource: 'session',
      summary: 'Turns 2FA off (needs the password)',
      body: passwordBody,
      response: null,
      handler: async ({ ctx, target: { user, session }, body }) => {
        await disableTwoFactor(auth, { user, session }, { ...body, ...clientInfo(ctx) });
        return undefined;
      },
    }),
    route({
      method: 'post',
      path: '/api/0/users/me/2fa/recovery-codes/',
      scope: null,
      resource: 'session',
      summary: 'Replaces the recovery codes (needs the password); answers the new ones, shown this once',
      body: passwordBody,
      response: recoveryCodesAnswer,
      handler: async ({ ctx, target: { user, session }, body }) => ({
        recoveryCodes: await regenerateRecoveryCodes(
          auth,
          { user, session },
          { ...body, ...clientInfo(ctx) },
        ),
      }),
    }),
  ];
}
