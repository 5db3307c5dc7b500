import type { Knex } from 'knex';
import { ALL_SCOPES, grantsScope, isScope, type Scope } from '../access';
import type { User } from '../accounts';
import { RateLimiter, type RateLimitRule } from '../auth';
import { ConflictError, NotFoundError, OAuthError } from '../errors';
import { callerOrganizations } from '../organizations';
import { findDeviceClient, type DeviceClient } from './clients';
import { newDeviceCode, newUserCode, normalizeUserCode } from './codes';
import { DeviceAuthorizationStore, type DeviceAuthorization } from './store';
import { issueUserToken } from '../tokens';

/** The grant type a device polls with (RFC 8628 §3.4). */
export const DEVICE_CODE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';

/** The verification URI devices show, relative to PUBLIC_URL; it sends the person to the web UI's page. */
export const VERIFICATION_PATH = '/oauth/device';
/** The web UI's approval page, where `VERIFICATION_PATH` sends the person (web/src/settings/routes.tsx). */
export const APPROVAL_PAGE_PATH = '/auth/device';

export interface DeviceAuthTimings {
  /** How long a request may wait for the person (RFC 8628 suggests minutes; 15 as GitHub). */
  codeLifetimeSeconds: number;
  /** The least time between two polls, until `slow_down` raises it (RFC 8628 §3.2: 5 by default). */
  pollIntervalSeconds: number;
}

export const DEFAULT_DEVICE_AUTH_TIMINGS: DeviceAuthTimings = {
  codeLifetimeSeconds: 900,
  pollIntervalSeconds: 5,
};

/** What `slow_down` adds to a request's interval, for that poll and every later one (RFC 8628 §3.5). */
const SLOW_DOWN_STEP_SECONDS = 5;

/** Network and timer jitter: a poll this much early still counts as on time. */
const POLL_EARLY_SLACK_MS = 250;

/** New requests per client address: each is a row, and nobody signs in 30 devices in 10 minutes. */
const REQUESTS_PER_IP: RateLimitRule = {
  bucket: 'device-code:ip',
  limit: 30,
  windowSeconds: 600,
  message: 'Too many device sign-in requests from this address',
};

/**
 * Unknown user codes typed on the approval page, per address and per person: 10 wrong codes in 15
 * minutes each, so guessing one of the 20^8 codes alive for 15 minutes is hopeless.
 */
const WRONG_CODES_PER_IP: RateLimitRule = {
  bucket: 'device-user-code:ip',
  limit: 10,
  windowSeconds: 900,
  message: 'Too many unknown codes entered from this address',
};
const WRONG_CODES_PER_USER: RateLimitRule = {
  ...WRONG_CODES_PER_IP,
  bucket: 'device-user-code:user',
  message: 'Too many unknown codes entered for this account',
};

export interface DeviceCodeAnswer {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string;
  expiresIn: number;
  interval: number;
}

export interface IssuedToken {
  accessToken: string;
  tokenId: number;
  scopes: string[];
  client: DeviceClient;
  userId: number;
}

/** A pending request as the approval page shows it to the person about to answer it. */
export interface PendingApproval {
  userCode: string;
  client: DeviceClient;
  requestedScopes: string[];
  /** What approving gives: the requested scopes this person holds in at least one organization. */
  grantableScopes: Scope[];
  expiresAt: Date;
}

/**
 * Device sign-in, RFC 8628: a device asks for codes (`start`), a signed-in person finds the request
 * by its user code and approves or denies it (`describe`, `decide`), and the device polls with its
 * device code until it gets a token or an error that ends the wait (`poll`). Errors the device sees
 * are `OAuthError`s with the RFC's names; the page's are the usual typed errors.
 */
export class DeviceAuthService {
  private readonly store: DeviceAuthorizationStore;
  private readonly requestsPerIp: RateLimiter;
  private readonly wrongCodesPerIp: RateLimiter;
  private readonly wrongCodesPerUser: RateLimiter;

  constructor(
    private readonly knex: Knex,
    private readonly publicUrl: string,
    private readonly timings: DeviceAuthTimings = DEFAULT_DEVICE_AUTH_TIMINGS,
    private readonly now: () => number = Date.now,
  ) {
    this.store = new DeviceAuthorizationStore(knex);
    this.requestsPerIp = new RateLimiter(knex, REQUESTS_PER_IP, now);
    this.wrongCodesPerIp = new RateLimiter(knex, WRONG_CODES_PER_IP, now);
    this.wrongCodesPerUser = new RateLimiter(knex, WRONG_CODES_PER_USER, now);
  }

  /** The device authorization request (RFC 8628 §3.1–3.2). */
  async start(input: { clientId?: string; scope?: string; ip: string }): Promise<DeviceCodeAnswer> {
    const client = requireClient(input.clientId);
    const requestedScopes = parseScope(input.scope, client);
    await this.requestsPerIp.hit(input.ip);
    await this.store.deleteStale(new Date(this.now()));
    const deviceCode = newDeviceCode();
    const expiresAt = new Date(this.now() + this.timings.codeLifetimeSeconds * 1000);
    // A clash of user codes is a one-in-billions event; drawing again settles it.
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const userCode = newUserCode();
      const stored = await this.store.insert({
        clientId: client.id,
        deviceCode,
        userCode,
        requestedScopes,
        intervalSeconds: this.timings.pollIntervalSeconds,
        expiresAt,
      });
      if (!stored) continue;
      const verificationUri = `${this.publicUrl}${VERIFICATION_PATH}`;
      return {
        deviceCode,
        userCode,
        verificationUri,
        verificationUriComplete: `${verificationUri}?user_code=${encodeURIComponent(userCode)}`,
        expiresIn: this.timings.codeLifetimeSeconds,
        interval: this.timings.pollIntervalSeconds,
      };
    }
    throw new Error('Could not draw an unused user code in 5 attempts');
  }

  /**
   * One poll of the token endpoint (RFC 8628 §3.4–3.5). Runs under a row lock, so of two polls
   * racing for an approved request exactly one gets the token; the other hears `invalid_grant`.
   */
  async poll(input: { clientId?: string; deviceCode?: string; ip: string }): Promise<IssuedToken> {
    const client = requireClient(input.clientId);
    if (!input.deviceCode) throw new OAuthError('invalid_request', 'Send the device_code the device got');
    // The answer to a pending poll is an error, but the poll it records must be committed, so the
    // transaction returns the error rather than throwing it (which would roll the record back).
    const outcome = await this.knex.transaction(async (trx) => {
      const request = await this.store.lockByDeviceCode(trx, input.deviceCode!);
      if (!request) return new OAuthError('invalid_grant', 'Unknown device code');
      // RFC 6749 §5.2: a grant "issued to another client" is an invalid grant, not an unknown client.
      if (request.clientId !== client.id)
        return new OAuthError(
          'invalid_grant',
          `This device code was issued to another client, not ${client.id}`,
        );
      if (request.tokenIssuedAt)
        return new OAuthError('invalid_grant', 'This device code was already used; start the sign-in again');
      const now = this.now();
      if (request.expiresAt.getTime() <= now)
        return new OAuthError('expired_token', 'The device code expired before it was approved; start again');
      if (request.status === 'denied')
        return new OAuthError('access_denied', 'The person denied this sign-in');
      if (request.status === 'pending') return this.pace(trx, request, now);
      return this.issue(trx, request, client, input.ip);
    });
    if (outcome instanceof OAuthError) throw outcome;
    return outcome;
  }

  /** The pending request of a typed user code, for the person about to answer it. */
  async describe(typedCode: string, user: User, ip: string): Promise<PendingApproval> {
    const { request, userCode } = await this.findPending(typedCode, user, ip);
    return this.approvalOf(request, userCode, user);
  }

  /**
   * The person's answer. Approving grants the requested scopes they hold (never more than asked,
   * never more than theirs); the token itself is made when the device next polls.
   */
  async decide(typedCode: string, user: User, approve: boolean, ip: string): Promise<PendingApproval> {
    const { request, userCode } = await this.findPending(typedCode, user, ip);
    const pending = await this.approvalOf(request, userCode, user);
    if (approve && pending.grantableScopes.length === 0)
      throw new ConflictError(
        `You hold none of the scopes ${pending.client.name} asks for (${pending.requestedScopes.join(', ')}) in any organization`,
        'no_grantable_scopes',
      );
    const decided = await this.store.decide(request.id, {
      userId: user.id,
      grantedScopes: approve ? pending.grantableScopes : null,
      at: new Date(this.now()),
    });
    if (!decided) throw answered();
    return pending;
  }

  private async approvalOf(
    request: DeviceAuthorization,
    userCode: string,
    user: User,
  ): Promise<PendingApproval> {
    const held = await this.scopesHeldBy(user.id);
    return {
      userCode,
      client: findDeviceClient(request.clientId)!,
      requestedScopes: request.requestedScopes,
      grantableScopes: request.requestedScopes.filter(
        (scope): scope is Scope => isScope(scope) && grantsScope(held, scope),
      ),
      expiresAt: request.expiresAt,
    };
  }

  private async findPending(
    typedCode: string,
    user: User,
    ip: string,
  ): Promise<{ request: DeviceAuthorization; userCode: string }> {
    const userCode = normalizeUserCode(typedCode);
    if (userCode === undefined)
      throw new NotFoundError(
        'A code has 8 letters, such as WDJB-MJHT: check what the device shows',
        'invalid_user_code',
      );
    await this.wrongCodesPerIp.check(ip);
    await this.wrongCodesPerUser.check(String(user.id));
    const request = await this.store.findByUserCode(userCode);
    if (!request || request.expiresAt.getTime() <= this.now()) {
      // Only misses count: a person retyping the right code is never locked out by it.
      await this.wrongCodesPerIp.hit(ip);
      await this.wrongCodesPerUser.hit(String(user.id));
      throw new NotFoundError(
        'No sign-in is waiting for this code: check it, or start again on the device (codes last 15 minutes)',
        'unknown_user_code',
      );
    }
    if (request.status !== 'pending') throw answered();
    return { request, userCode };
  }

  /** `slow_down` for a poll that came before the request's interval passed; every poll is recorded. */
  private async pace(trx: Knex.Transaction, request: DeviceAuthorization, now: number): Promise<OAuthError> {
    const early =
      request.lastPolledAt !== null &&
      now - request.lastPolledAt.getTime() < request.intervalSeconds * 1000 - POLL_EARLY_SLACK_MS;
    const interval = request.intervalSeconds + (early ? SLOW_DOWN_STEP_SECONDS : 0);
    await this.store.recordPoll(trx, request.id, new Date(now), interval);
    if (early)
      return new OAuthError('slow_down', `Polling too fast: wait at least ${interval} seconds between polls`);
    return new OAuthError('authorization_pending', 'Waiting for the person to approve the sign-in');
  }

  private async issue(
    trx: Knex.Transaction,
    request: DeviceAuthorization,
    client: DeviceClient,
    ip: string,
  ): Promise<IssuedToken> {
    const userId = request.userId!;
    const scopes = request.grantedScopes!;
    await this.store.markTokenIssued(trx, request.id, new Date(this.now()));
    const user: { email: string } = await trx('users').where({ id: userId }).first('email');
    // The tokens domain records the client on the token and audits it in each of the person's organizations.
    const made = await issueUserToken(trx, {
      userId,
      client: client.credentialClient,
      name: client.name,
      scopes: scopes.filter(isScope),
      heldScopes: scopes,
      actor: { userId, email: user.email, tokenId: null, ip, surface: client.credentialClient },
      details: { via: 'device_code' },
    });
    return { accessToken: made.secret, tokenId: made.row.id, scopes, client, userId };
  }

  /** Every scope the person's role grants in one of their organizations (the organizations domain decides). */
  private async scopesHeldBy(userId: number): Promise<Scope[]> {
    const reached = await callerOrganizations(this.knex, {
      user: { id: userId },
      organizationId: null,
      scopes: ALL_SCOPES,
    });
    return [...new Set(reached.flatMap((access) => access.scopes))];
  }
}

function requireClient(clientId: string | undefined): DeviceClient {
  const client = findDeviceClient(clientId);
  if (client) return client;
  throw new OAuthError(
    'invalid_client',
    clientId ? `Unknown client_id ${JSON.stringify(clientId.slice(0, 100))}` : 'Send the client_id',
  );
}

/** RFC 6749 §3.3: space-separated scopes; none means the client's defaults. */
function parseScope(scope: string | undefined, client: DeviceClient): string[] {
  const names = (scope ?? '').split(' ').filter((name) => name !== '');
  if (names.length === 0) return [...client.defaultScopes];
  const unknown = names.filter((name) => !isScope(name));
  if (unknown.length > 0)
    throw new OAuthError('invalid_scope', `Unknown scope ${JSON.stringify(unknown[0].slice(0, 100))}`);
  return [...new Set(names)];
}

function answered(): ConflictError {
  return new ConflictError('This sign-in was already approved or denied', 'user_code_used');
}
