import type Router from '@koa/router';
import { TokenAuthenticator } from './auth';
import { registerRoutes, type ApiRoute } from './define-route';
import type { ApiDependencies } from './dependencies';
import { eventRoutes } from './resources/events';
import { issueTagRoutes } from './resources/issue-tags';
import { issueRoutes } from './resources/issues';
import { organizationRoutes } from './resources/organizations';
import { projectRoutes } from './resources/projects';

export type { ApiDependencies } from './dependencies';

/** Every REST route, declared with its scope and schemas (see `define-route.ts`). */
export function apiRoutes(deps: ApiDependencies): ApiRoute[] {
  return [
    ...organizationRoutes(deps),
    ...projectRoutes(deps),
    ...issueRoutes(deps),
    ...eventRoutes(deps),
    ...issueTagRoutes(deps),
  ];
}

/** Mounts Faultline's Sentry-compatible REST API (`/api/0/...`), authenticated by API tokens. */
export function mountApiRoutes(router: Router, deps: ApiDependencies): void {
  registerRoutes(router, apiRoutes(deps), new TokenAuthenticator(deps.accounts));
}
