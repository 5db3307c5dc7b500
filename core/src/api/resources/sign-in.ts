import { z } from 'zod';
import {
  changePassword,
  completePasswordReset,
  login,
  logout,
  requestPasswordReset,
  SECOND_FACTOR_METHODS,
  verifySecondFactor,
} from '../../auth';
import { route, type ApiRoute } from '../define-route';
import type { ApiDependencies } from '../dependencies';
import { sentryUserSchema, serializeUser } from '../serializers/user';
import { applyCookies, clientInfo } from '../session-cookies';

const email = z.string().trim().min(1).max(320);
/** Long enough for any policy-abiding password; the policy itself is checked when one is set. */
const password = z.string().min(1).max(1024);
const code = z.string().trim().min(1).max(64);

const csrfToken = z.string().describe('Send it back in `X-CSRF-Token` on every write of this session');

/** A signed-in (or half signed-in, until the second factor) session. */
const signInAnswer = z
  .strictObject({ user: sentryUserSchema, secondFactorRequired: z.boolean(), csrfToken })
  .meta({ id: 'SignIn' });

const secondFactorAnswer = z
  .strictObject({
    user: sentryUserSchema,
    method: z.enum(SECOND_FACTOR_METHODS),
    recoveryCodesLeft: z.number().int(),
    csrfToken,
  })
  .meta({ id: 'SecondFactorSignIn' });

/**
 * Signing in and out with a password, the second factor, and passwords (change and reset). Sign-in
 * answers set the session cookie (httpOnly) and the CSRF cookie, and carry the CSRF token too.
 */
export function signInRoutes({ auth }: ApiDependencies): ApiRoute[] {
  return [
    route({
      method: 'post',
      path: '/api/0/auth/login/',
      scope: null,
      resource: 'public',
      summary:
        'Signs in with email and password; sets the session and CSRF cookies (a session of a user with 2FA then needs /auth/2fa/verify/)',
      body: z.strictObject({ email, password }),
      response: signInAnswer,
      errors: [401, 403, 429],
      handler: async ({ ctx, body }) => {
        const signed = await login(auth, { ...body, ...clientInfo(ctx) });
        applyCookies(ctx, signed.cookies);
        return {
          user: serializeUser(signed.user, signed.secondFactorRequired),
          secondFactorRequired: signed.secondFactorRequired,
          csrfToken: signed.session.csrfToken,
        };
      },
    }),
    route({
      method: 'post',
      path: '/api/0/auth/2fa/verify/',
      scope: null,
      resource: 'signInSession',
      summary: 'Finishes signing in with a TOTP code or a recovery code; renews the session cookies',
      body: z.strictObject({ code }),
      response: secondFactorAnswer,
      errors: [429],
      handler: async ({ ctx, target: { user, session }, body }) => {
        const signed = await verifySecondFactor(auth, { user, session }, body.code);
        applyCookies(ctx, signed.cookies);
        return {
          user: serializeUser(user, true),
          method: signed.method,
          recoveryCodesLeft: signed.recoveryCodesLeft,
          csrfToken: signed.session.csrfToken,
        };
      },
    }),
    route({
      method: 'post',
      path: '/api/0/auth/logout/',
      scope: null,
      resource: 'signInSession',
      summary: 'Signs out: ends this session and clears its cookies',
      response: null,
      handler: async ({ ctx, target: { user, session } }) => {
        applyCookies(ctx, await logout(auth, { user, session }));
        return undefined;
      },
    }),
    route({
      method: 'put',
      path: '/api/0/auth/password/',
      scope: null,
      resource: 'session',
      summary: "Changes the signed-in user's password; ends their other sessions and renews this one",
      body: z.strictObject({ currentPassword: password, newPassword: password }),
      response: z.strictObject({ csrfToken }),
      handler: async ({ ctx, target: { user, session }, body }) => {
        const signed = await changePassword(auth, { user, session }, { ...body, ...clientInfo(ctx) });
        applyCookies(ctx, signed.cookies);
        return { csrfToken: signed.session.csrfToken };
      },
    }),
    route({
      method: 'post',
      path: '/api/0/auth/password-reset/',
      scope: null,
      resource: 'public',
      summary: 'Mails a password reset link when the email belongs to someone; answers 204 either way',
      body: z.strictObject({ email }),
      response: null,
      errors: [429],
      handler: async ({ ctx, body }) => {
        await requestPasswordReset(auth, { email: body.email, ip: ctx.ip });
        return undefined;
      },
    }),
    route({
      method: 'post',
      path: '/api/0/auth/password-reset/complete/',
      scope: null,
      resource: 'public',
      summary: "Sets a new password with a reset link's token; ends every session of the user",
      body: z.strictObject({ token: z.string().trim().min(1).max(256), newPassword: password }),
      response: null,
      errors: [404, 429],
      handler: async ({ ctx, body }) => {
        await completePasswordReset(auth, { ...body, ip: ctx.ip });
        return undefined;
      },
    }),
  ];
}
