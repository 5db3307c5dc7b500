import type Router from '@koa/router';
import type { DeviceAuthService } from '../../device-auth';
import { mountTokenEndpoints } from './token-endpoints';
import { mountVerificationRedirect } from './verification-redirect';

export { withOAuthEndpoints } from './openapi';

/**
 * Device sign-in over HTTP: the RFC 8628 endpoints a device calls, and the verification URI that
 * sends the person to the web UI's approval page. Outside `/api/0` and its JSON-only routes,
 * because the RFC fixes their forms and answers.
 */
export function mountOAuthRoutes(
  router: Router,
  devices: DeviceAuthService,
  options: { publicUrl: string; bodyIdleTimeoutMs?: number; checkAnswers?: boolean },
): void {
  mountTokenEndpoints(router, devices, options);
  mountVerificationRedirect(router);
}
