import type Router from '@koa/router';
import type { Context } from 'koa';
import { DEVICE_CODE_GRANT_TYPE, type DeviceAuthService } from '../../device-auth';
import { FaultlineError, OAuthError, RateLimitedError, UndeclaredAnswerError } from '../../errors';
import { assertCleanUrl } from '../clean-input';
import { readFormBody } from './form-body';
import { deviceCodeAnswer, OAUTH_ERRORS, tokenAnswer } from './schemas';
import type { z } from 'zod';

/**
 * The two endpoints a device talks to, answered exactly as RFC 8628 and RFC 6749 shape them
 * (snake_case JSON, `{error, error_description}` errors, never cached), so any OAuth library works:
 *
 * - `POST /oauth/device/code` (RFC 8628 §3.1): `client_id`, optional `scope` → the codes to show.
 * - `POST /oauth/token` (§3.4): `grant_type=urn:ietf:params:oauth:grant-type:device_code`,
 *   `device_code`, `client_id` → `authorization_pending` / `slow_down` until the person answers,
 *   then the token, once.
 */
export function mountTokenEndpoints(
  router: Router,
  devices: DeviceAuthService,
  options: { bodyIdleTimeoutMs?: number; checkAnswers?: boolean },
): void {
  // Outside `route()` (the RFCs fix these forms and errors), so the contract check is done here.
  const reply = options.checkAnswers ? checkedAnswer : answerUncached;
  const post = (path: string, handler: (ctx: Context) => Promise<void>) =>
    router.post(path, options.checkAnswers ? (ctx) => checkingErrors(path, ctx, handler) : handler);

  post('/oauth/device/code', async (ctx) => {
    const form = await readForm(ctx, options.bodyIdleTimeoutMs);
    const answer = await devices.start({ clientId: form.client_id, scope: form.scope, ip: ctx.ip });
    reply(ctx, deviceCodeAnswer, {
      device_code: answer.deviceCode,
      user_code: answer.userCode,
      verification_uri: answer.verificationUri,
      verification_uri_complete: answer.verificationUriComplete,
      expires_in: answer.expiresIn,
      interval: answer.interval,
    });
  });

  post('/oauth/token', async (ctx) => {
    const form = await readForm(ctx, options.bodyIdleTimeoutMs);
    if (!form.grant_type) throw new OAuthError('invalid_request', 'Send the grant_type');
    if (form.grant_type !== DEVICE_CODE_GRANT_TYPE)
      throw new OAuthError(
        'unsupported_grant_type',
        `Only the device code grant (${DEVICE_CODE_GRANT_TYPE}) is served here`,
      );
    const issued = await devices.poll({ clientId: form.client_id, deviceCode: form.device_code, ip: ctx.ip });
    reply(ctx, tokenAnswer, {
      access_token: issued.accessToken,
      token_type: 'Bearer' as const,
      scope: issued.scopes.join(' '),
    });
  });
}

/** The form, with what the shared readers throw (size, timeout, bad UTF-8) in the RFC's shape. */
async function readForm(ctx: Context, idleTimeoutMs?: number): Promise<Record<string, string | undefined>> {
  try {
    assertCleanUrl(ctx);
    return await readFormBody(ctx.req, idleTimeoutMs);
  } catch (error) {
    if (error instanceof FaultlineError && !(error instanceof OAuthError) && error.status < 500)
      throw new OAuthError('invalid_request', error.message, error.status);
    throw error;
  }
}

/** A success answer, typed by its declaration in `schemas.ts`. */
function answerUncached<S extends z.ZodObject>(ctx: Context, _schema: S, body: z.output<S>): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Pragma', 'no-cache');
  ctx.body = body;
}

/** `answerUncached`, checking the body against its schema (strictly) first: the tests' contract check. */
function checkedAnswer<S extends z.ZodObject>(ctx: Context, schema: S, body: z.output<S>): void {
  const result = schema.strict().safeParse(body);
  if (!result.success)
    throw new UndeclaredAnswerError(
      `POST ${ctx.path} answered a body its schema refuses: ${result.error.issues[0].message}`,
    );
  answerUncached(ctx, schema, body);
}

/** Lets only the errors the description declares through: RFC 6749 errors as 400/401, and 429. */
async function checkingErrors(path: string, ctx: Context, handler: (ctx: Context) => Promise<void>) {
  try {
    await handler(ctx);
  } catch (error) {
    const declared =
      error instanceof UndeclaredAnswerError ||
      error instanceof RateLimitedError ||
      (error instanceof OAuthError &&
        [400, 401].includes(error.status) &&
        (OAUTH_ERRORS as readonly string[]).includes(error.code));
    if (!declared)
      throw new UndeclaredAnswerError(
        `POST ${path} failed with an answer it doesn't declare: ${error instanceof Error ? error.message : String(error)}`,
      );
    throw error;
  }
}
