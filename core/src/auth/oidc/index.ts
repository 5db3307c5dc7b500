/**
 * Single sign-on through OpenID Connect, per organization: provider settings (client secret
 * encrypted), the authorization-code flow with PKCE, identities and just-in-time membership, and
 * the confirmation an existing account gives before a provider identity may sign it in.
 */
import type { Knex } from 'knex';
import type { AuthServices } from '../services';
import { OidcDiscovery } from './discovery';
import type { SsoServices } from './flow';
import { SsoLoginAttempts } from './login-attempts';
import { SsoProviders } from './providers';

export {
  beginSsoLogin,
  completeSsoLogin,
  callbackUrl,
  TWO_FACTOR_PATH,
  type SsoServices,
  type SsoRedirect,
  type SsoCallback,
  type SsoCallbackResult,
} from './flow';
export {
  confirmLinkAsSignedIn,
  confirmLinkWithPassword,
  describePendingLink,
  type PendingLinkSummary,
  type SsoLinked,
} from './linking';
export { LINK_PATH, PENDING_LINK_SECONDS } from './pending-links';
export { ssoCookieName, type SsoCookie } from './sso-cookies';
export { isLoopbackHttp, OidcDiscovery } from './discovery';
export {
  SsoProviders,
  providerSettings,
  SSO_DEFAULT_ROLES,
  type SsoDefaultRole,
  type SsoProvider,
  type SsoProviderInput,
  type SsoProviderSettings,
} from './providers';
export { sameOriginPath } from './redirects';
export { ssoSignInOption, type SsoSignInOption } from './sign-in-option';

/** The encryption purpose of SSO secrets (client secrets, PKCE verifiers); see `AuthServices.secretBox`. */
export const SSO_SECRET_PURPOSE = 'sso-secrets';

/** SSO's services, over the authentication services (sessions, cookies, the secret key). */
export function createSsoServices(deps: {
  knex: Knex;
  publicUrl: string;
  auth: AuthServices;
  now?: () => number;
}): SsoServices {
  const { knex, auth } = deps;
  const box = auth.secretBox(SSO_SECRET_PURPOSE);
  return {
    knex,
    publicUrl: deps.publicUrl,
    providers: new SsoProviders(knex, box),
    discovery: new OidcDiscovery(deps.now),
    attempts: new SsoLoginAttempts(knex, box, deps.now),
    auth,
    box,
  };
}
