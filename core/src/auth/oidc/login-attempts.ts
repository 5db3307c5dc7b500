import type { Knex } from 'knex';
import * as oidc from 'openid-client';
import { hashToken } from '../../accounts';
import type { SecretBox } from '../secret-box';

/** How long a person has to finish signing in at the provider. */
export const LOGIN_ATTEMPT_SECONDS = 10 * 60;

export interface LoginAttempt {
  state: string;
  nonce: string;
  codeVerifier: string;
  next: string | null;
}

/**
 * The server side of a login in progress: state (stored hashed), nonce and PKCE verifier (stored
 * encrypted). Each attempt is consumed once, by its callback.
 */
export class SsoLoginAttempts {
  constructor(
    private readonly knex: Knex,
    private readonly box: SecretBox,
    private readonly now: () => number = Date.now,
  ) {}

  async create(organizationId: number, next: string | null): Promise<LoginAttempt> {
    const attempt = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier: oidc.randomPKCECodeVerifier(),
      next,
    };
    const stateHash = hashToken(attempt.state);
    const now = this.now();
    // Old attempts go whenever a new one starts; there is no other sweeper.
    await this.knex('sso_login_attempts').where('expires_at', '<=', new Date(now)).delete();
    await this.knex('sso_login_attempts').insert({
      state_hash: stateHash,
      organization_id: organizationId,
      code_verifier_encrypted: this.box.seal(attempt.codeVerifier, `sso-pkce:${stateHash}`),
      nonce: attempt.nonce,
      next_path: next,
      created_at: new Date(now),
      expires_at: new Date(now + LOGIN_ATTEMPT_SECONDS * 1000),
    });
    return attempt;
  }

  /** The attempt for this state in this organization, deleted as it is read; undefined when unknown or expired. */
  async consume(organizationId: number, state: string): Promise<LoginAttempt | undefined> {
    const stateHash = hashToken(state);
    const [row] = await this.knex('sso_login_attempts')
      .where({ state_hash: stateHash, organization_id: organizationId })
      .delete()
      .returning(['code_verifier_encrypted', 'nonce', 'next_path', 'expires_at']);
    if (!row || new Date(row.expires_at).getTime() <= this.now()) return undefined;
    return {
      state,
      nonce: row.nonce,
      codeVerifier: this.box.open(row.code_verifier_encrypted, `sso-pkce:${stateHash}`),
      next: row.next_path,
    };
  }
}
