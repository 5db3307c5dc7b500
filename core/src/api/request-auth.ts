import type { Context } from 'koa';
import type { Knex } from 'knex';
import { CSRF_HEADER, TwoFactorRequiredError, type AuthServices } from '../auth';
import { AuthError } from '../errors';
import { missingCredentials, sessionCaller, type ApiCaller, type TokenAuthenticator } from './auth';
import type { Authenticate } from './define-route';
import { actAsLinkedUser } from './act-as';

/**
 * Who is calling: an `Authorization` header is an API token (and wins over a cookie; browsers never
 * add it by themselves, so no CSRF token is needed); otherwise the session cookie, whose writes must
 * carry the X-CSRF-Token header. A session still waiting for its second factor reaches only the
 * `signInSession` routes (verify the code, sign out). Public routes read no credentials at all.
 */
export function requestAuthenticator(
  tokens: TokenAuthenticator,
  auth: AuthServices,
  knex: Knex,
): Authenticate {
  return async (ctx: Context, resource): Promise<ApiCaller | null> => {
    if (resource === 'public') return null;
    const authorization = ctx.get('Authorization');
    if (authorization) return actAsLinkedUser(knex, ctx, await tokens.authenticate(authorization, ctx.ip));
    const cookie = ctx.cookies.get(auth.cookies.names.session);
    if (!cookie) throw missingCredentials();
    const found = await auth.authenticator.authenticate(
      cookie,
      ctx.get(CSRF_HEADER) || undefined,
      ctx.method,
      {
        allowPendingSecondFactor: true,
      },
    );
    if (!found) throw new AuthError('Your session has ended or expired: sign in again', 'session_expired');
    if (found.session.pendingSecondFactor && resource !== 'signInSession') throw new TwoFactorRequiredError();
    return actAsLinkedUser(knex, ctx, sessionCaller(found));
  };
}
