/**
 * Single sign-on through OpenID Connect, per organization: provider settings (client secret
 * encrypted), the authorization-code flow with PKCE, identities and just-in-time membership.
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
  stateCookieName,
  TWO_FACTOR_PATH,
  type SsoServices,
  type SsoRedirect,
  type SsoCallback,
} from './flow';
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

/** The encryption purpose of SSO secrets (client secrets, PKCE verifiers); see `AuthServices.secretBox`. */
export const SSO_SECRET_PURPOSE = 'sso-secrets';

/** SSO's services, over the authentication services (sessions, cookies, the secret key). */
export function createSsoServices(deps: {
  knex: Knex;
  publicUrl: string;
  auth: Pick<AuthServices, 'sessions' | 'cookies' | 'secretBox'>;
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
    sessions: auth.sessions,
    cookies: auth.cookies,
  };
}
