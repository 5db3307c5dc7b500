import type Router from '@koa/router';
import { RateLimiter } from '../auth';
import { TokenAuthenticator, TOKEN_FAILURE_LIMIT } from './auth';
import { registerRoutes, type ApiRoute } from './define-route';
import type { ApiDependencies } from './dependencies';
import { alertRuleRoutes } from './resources/alert-rules';
import { apiRootRoutes } from './resources/api-root';
import { changeRoutes } from './resources/changes';
import { codeLocationRoutes } from './resources/code-locations';
import { deviceAuthorizationRoutes } from './resources/device-authorizations';
import { environmentRoutes } from './resources/environments';
import { eventRoutes } from './resources/events';
import { issueActionRoutes } from './resources/issue-actions';
import { issueActivityRoutes } from './resources/issue-activity';
import { issueCommentRoutes } from './resources/issue-comments';
import { issueExternalIssueRoutes } from './resources/issue-external-issues';
import { issueTagRoutes } from './resources/issue-tags';
import { integrationCursorRoutes } from './resources/integration-cursor';
import { integrationInstallationRoutes } from './resources/integration-installations';
import { issueRoutes } from './resources/issues';
import { organizationRoutes } from './resources/organizations';
import { pluginRoutes } from './resources/plugins';
import { projectRoutes } from './resources/projects';
import { projectKeyRoutes } from './resources/project-keys';
import { releaseRoutes } from './resources/releases';
import { repositoryRoutes } from './resources/repositories';
import { inviteLinkRoutes } from './resources/invite-links';
import { memberRoutes } from './resources/members';
import { teamRoutes } from './resources/teams';
import { tokenRoutes } from './resources/tokens';
import { unprocessableEventRoutes } from './resources/unprocessable-events';
import { signInRoutes } from './resources/sign-in';
import { ssoRoutes } from './resources/sso';
import { userRoutes } from './resources/users';
import { requestAuthenticator } from './request-auth';
import { buildOpenApiDocument } from './openapi';
import type { Config } from '../config';
import { DeviceAuthService } from '../device-auth';
import { mountOAuthRoutes, withOAuthEndpoints } from './oauth';
import { externalIdentityRoutes } from './resources/external-identities';
import { sessionRoutes } from './resources/sessions';

export type { ApiDependencies } from './dependencies';

const API_VERSION = '0.1.0';

/** Every REST route, declared with its authorization rule and schemas (see `define-route.ts`). */
export function apiRoutes(deps: ApiDependencies): ApiRoute[] {
  return [
    ...apiRootRoutes(deps),
    ...signInRoutes(deps),
    ...ssoRoutes(deps),
    ...userRoutes(deps),
    ...sessionRoutes(deps),
    ...organizationRoutes(deps),
    ...teamRoutes(deps),
    ...memberRoutes(deps),
    ...inviteLinkRoutes(deps),
    ...projectRoutes(deps),
    ...projectKeyRoutes(deps),
    ...tokenRoutes(deps),
    ...deviceAuthorizationRoutes(deps),
    ...externalIdentityRoutes(deps),
    ...integrationCursorRoutes(deps),
    ...integrationInstallationRoutes(deps),
    ...issueRoutes(deps),
    ...eventRoutes(deps),
    ...environmentRoutes(deps),
    ...codeLocationRoutes(deps),
    ...unprocessableEventRoutes(deps),
    ...issueTagRoutes(deps),
    ...issueCommentRoutes(deps),
    ...issueActivityRoutes(deps),
    ...issueExternalIssueRoutes(deps),
    ...issueActionRoutes(deps),
    ...changeRoutes(deps),
    ...alertRuleRoutes(deps),
    ...releaseRoutes(deps),
    ...repositoryRoutes(deps),
    ...pluginRoutes(deps),
  ];
}

/** Mounts Faultline's Sentry-compatible REST API (`/api/0/...`), authenticated by API tokens or sessions. */
export function mountApiRoutes(router: Router, deps: ApiDependencies): void {
  const routes = apiRoutes(deps);
  const description = withOAuthEndpoints(buildOpenApiDocument(routes, API_VERSION));
  // The API's own description is public, like Sentry's published OpenAPI document.
  router.get('/api/0/openapi.json', (ctx) => {
    ctx.body = description;
  });
  const tokens = new TokenAuthenticator(deps.knex, Date.now, new RateLimiter(deps.knex, TOKEN_FAILURE_LIMIT));
  registerRoutes(router, routes, requestAuthenticator(tokens, deps.auth, deps.knex), {
    knex: deps.knex,
    userHas2FA: (userId) => deps.auth.twoFactor.userHas2FA(userId),
    bodyIdleTimeoutMs: deps.config.http.bodyIdleTimeoutMs,
    checkAnswers: deps.checkAnswers,
  });
  const devices = new DeviceAuthService(deps.knex, deps.config.http.publicUrl);
  mountOAuthRoutes(router, devices, {
    publicUrl: deps.config.http.publicUrl,
    bodyIdleTimeoutMs: deps.config.http.bodyIdleTimeoutMs,
    checkAnswers: deps.checkAnswers,
  });
}

/**
 * The OpenAPI document of the REST API, without a database: declaring routes never queries, so the
 * data-access dependencies are stand-ins that fail loudly if that ever changes. `docs/openapi.json`
 * is this document, checked in; a test keeps the two equal.
 */
export function describeApi(config: Config): Record<string, unknown> {
  const noDatabase = new Proxy(
    {},
    {
      get() {
        throw new Error('Describing the API must not touch the database');
      },
    },
  );
  const deps = {
    config,
    knex: noDatabase,
    accounts: noDatabase,
    auth: noDatabase,
  } as unknown as ApiDependencies;
  return withOAuthEndpoints(buildOpenApiDocument(apiRoutes(deps), API_VERSION));
}
