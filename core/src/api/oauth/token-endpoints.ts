import type Router from '@koa/router';
import type { Context } from 'koa';
import { DEVICE_CODE_GRANT_TYPE, type DeviceAuthService } from '../../device-auth';
import { FaultlineError, OAuthError } from '../../errors';
import { assertCleanUrl } from '../clean-input';
import { readFormBody } from './form-body';
import type { deviceCodeAnswer, tokenAnswer } from './schemas';
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
  options: { bodyIdleTimeoutMs?: number },
): void {
  router.post('/oauth/device/code', async (ctx) => {
    const form = await readForm(ctx, options.bodyIdleTimeoutMs);
    const answer = await devices.start({ clientId: form.client_id, scope: form.scope, ip: ctx.ip });
    answerUncached<z.output<typeof deviceCodeAnswer>>(ctx, {
      device_code: answer.deviceCode,
      user_code: answer.userCode,
      verification_uri: answer.verificationUri,
      verification_uri_complete: answer.verificationUriComplete,
      expires_in: answer.expiresIn,
      interval: answer.interval,
    });
  });

  router.post('/oauth/token', async (ctx) => {
    const form = await readForm(ctx, options.bodyIdleTimeoutMs);
    if (!form.grant_type) throw new OAuthError('invalid_request', 'Send the grant_type');
    if (form.grant_type !== DEVICE_CODE_GRANT_TYPE)
      throw new OAuthError(
        'unsupported_grant_type',
        `Only the device code grant (${DEVICE_CODE_GRANT_TYPE}) is served here`,
      );
    const issued = await devices.poll({ clientId: form.client_id, deviceCode: form.device_code, ip: ctx.ip });
    answerUncached<z.output<typeof tokenAnswer>>(ctx, {
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
function answerUncached<Answer>(ctx: Context, body: Answer): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Pragma', 'no-cache');
  ctx.body = body;
}
