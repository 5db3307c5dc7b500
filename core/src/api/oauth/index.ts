import type Router from '@koa/router';
import type { AuthServices } from '../../auth';
import type { DeviceAuthService } from '../../device-auth';
import { mountApprovalPage } from './approval-page';
import { mountTokenEndpoints } from './token-endpoints';

export { withOAuthEndpoints } from './openapi';

/**
 * Device sign-in over HTTP: the RFC 8628 endpoints a device calls, and the page a person approves
 * it on. Outside `/api/0` and its JSON-only routes, because the RFC fixes their forms and answers.
 */
export function mountOAuthRoutes(
  router: Router,
  devices: DeviceAuthService,
  auth: AuthServices,
  options: { publicUrl: string; bodyIdleTimeoutMs?: number; checkAnswers?: boolean },
): void {
  mountTokenEndpoints(router, devices, options);
  mountApprovalPage(router, devices, auth, options);
}
