import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Client } from '@faultline/plugin-sdk';
import type { User } from '../accounts';
import { hashToken } from '../accounts';
import { deriveCsrfToken } from './csrf';

export interface Session {
  id: number;
  userId: number;
  createdAt: Date;
  lastSeenAt: Date;
  /** Absolute expiry; the session also ends after `idleTimeoutSeconds` without use. */
  expiresAt: Date;
  ip: string | null;
  userAgent: string | null;
  /** This session passed the second factor. */
  twoFactorVerified: boolean;
  /** The user has 2FA and this session has not passed it yet: it may only finish signing in. */
  pendingSecondFactor: boolean;
  /** What cookie-authenticated writes must send in the X-CSRF-Token header. */
  csrfToken: string;
  /** The client signed in: the web UI (`web`), the only one that holds a session cookie. */
  client: Client;
}

export interface SessionTimeouts {
  idleTimeoutSeconds: number;
  absoluteTimeoutSeconds: number;
  /** Lifetime of a session that still awaits its second factor. */
  pendingSecondFactorSeconds: number;
}

export const DEFAULT_SESSION_TIMEOUTS: SessionTimeouts = {
  idleTimeoutSeconds: 7 * 86_400,
  absoluteTimeoutSeconds: 30 * 86_400,
  pendingSecondFactorSeconds: 10 * 60,
};

/** last_seen_at is written at most this often per session, so reads don't all become writes. */
const TOUCH_INTERVAL_MS = 60_000;

const TOKEN_PREFIX = 'fls_';

interface SessionRow {
  id: number;
  user_id: number;
  token_hash: string;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  ip: string | null;
  user_agent: string | null;
  two_factor_verified: boolean;
  has_2fa: boolean;
  client: Client;
}

/**
 * Server-side sessions. The cookie holds a random token; the table keeps only its SHA-256, so a
 * database dump can't be replayed as cookies.
 */
export class SessionStore {
  constructor(
    private readonly knex: Knex,
    private readonly csrfKey: Buffer,
    readonly timeouts: SessionTimeouts = DEFAULT_SESSION_TIMEOUTS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts a session; when the user has 2FA it is pending (short-lived) until `rotate(…, { twoFactorVerified: true })`. */
  async create(
    userId: number,
    client: { ip?: string | null; userAgent?: string | null } = {},
  ): Promise<{ token: string; session: Session }> {
    const token = newSessionToken();
    const now = this.now();
    const has2fa = await this.userHas2FA(userId);
    const lifetime = has2fa ? this.timeouts.pendingSecondFactorSeconds : this.timeouts.absoluteTimeoutSeconds;
    await this.knex('sessions').insert({
      user_id: userId,
      token_hash: hashToken(token),
      created_at: new Date(now),
      last_seen_at: new Date(now),
      expires_at: new Date(now + lifetime * 1000),
      ip: client.ip ?? null,
      user_agent: client.userAgent?.slice(0, 512) ?? null,
      two_factor_verified: false,
    });
    const found = await this.findByHash(hashToken(token));
    if (!found) throw new Error('Session vanished right after it was created');
    return { token, session: found.session };
  }

  /** Whether session `sessionId` is still live (not signed out, idle too long or expired). */
  async isLive(sessionId: number): Promise<boolean> {
    return (await this.liveSessions().where('s.id', sessionId).first()) !== undefined;
  }

  /** The live session and its user for a cookie token; undefined when unknown, idle too long or expired. */
  async lookup(token: string): Promise<{ session: Session; user: User } | undefined> {
    if (!token.startsWith(TOKEN_PREFIX)) return undefined;
    const found = await this.findByHash(hashToken(token));
    if (!found) return undefined;
    const now = this.now();
    if (now - found.session.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) {
      await this.knex('sessions')
        .where({ id: found.session.id })
        .update({ last_seen_at: new Date(now) });
      found.session.lastSeenAt = new Date(now);
    }
    return found;
  }

  /**
   * Replaces the session's token (the old cookie stops working) and optionally records that the
   * second factor passed, which also extends a pending session to the full lifetime. Rotate on every
   * privilege change so a token planted before it (session fixation) is worthless after.
   */
  async rotate(
    session: Session,
    changes: { twoFactorVerified?: boolean } = {},
  ): Promise<{ token: string; session: Session }> {
    const token = newSessionToken();
    const update: Record<string, unknown> = { token_hash: hashToken(token) };
    if (changes.twoFactorVerified) {
      update.two_factor_verified = true;
      update.expires_at = new Date(session.createdAt.getTime() + this.timeouts.absoluteTimeoutSeconds * 1000);
    }
    const updated = await this.knex('sessions').where({ id: session.id }).update(update).returning('id');
    const found = updated.length ? await this.findByHash(hashToken(token)) : undefined;
    if (!found) throw new Error('The session ended while it was being rotated');
    return { token, session: found.session };
  }

  async revoke(sessionId: number): Promise<void> {
    await this.knex('sessions').where({ id: sessionId }).delete();
  }

  /** Ends one session of the user's; false when they have no such session (someone else's included). */
  async revokeOfUser(userId: number, sessionId: number): Promise<boolean> {
    const ended = await this.knex('sessions')
      .where({ id: sessionId, user_id: userId })
      .delete()
      .returning('id');
    return ended.length > 0;
  }

  /** Ends every session of the user, except `keepSessionId` when given (e.g. the one changing the password). */
  async revokeAllForUser(userId: number, keepSessionId?: number): Promise<number> {
    const query = this.knex('sessions').where({ user_id: userId });
    if (keepSessionId !== undefined) query.andWhereNot({ id: keepSessionId });
    return (await query.delete().returning('id')).length;
  }

  async listForUser(userId: number): Promise<Session[]> {
    const rows: SessionRow[] = await this.liveSessions().where('s.user_id', userId).orderBy('s.id');
    return rows.map((row) => this.toSession(row));
  }

  /** Deletes sessions past their absolute or idle expiry; returns how many. */
  async deleteExpired(): Promise<number> {
    const now = this.now();
    return this.knex('sessions')
      .where('expires_at', '<=', new Date(now))
      .orWhere('last_seen_at', '<=', new Date(now - this.timeouts.idleTimeoutSeconds * 1000))
      .delete()
      .returning('id')
      .then((rows) => rows.length);
  }

  private async userHas2FA(userId: number): Promise<boolean> {
    const row = await this.knex('user_totp')
      .where({ user_id: userId })
      .whereNotNull('confirmed_at')
      .first('user_id');
    return row !== undefined;
  }

  private liveSessions(): Knex.QueryBuilder {
    const now = this.now();
    return this.knex('sessions as s')
      .leftJoin('user_totp as t', (join) => join.on('t.user_id', 's.user_id').andOnNotNull('t.confirmed_at'))
      .where('s.expires_at', '>', new Date(now))
      .andWhere('s.last_seen_at', '>', new Date(now - this.timeouts.idleTimeoutSeconds * 1000))
      .select('s.*', this.knex.raw('(t.user_id is not null) as has_2fa'));
  }

  private async findByHash(tokenHash: string): Promise<{ session: Session; user: User } | undefined> {
    const row: (SessionRow & { email: string; name: string; is_superuser: boolean }) | undefined =
      await this.liveSessions()
        .join('users as u', 'u.id', 's.user_id')
        .where('s.token_hash', tokenHash)
        .select('u.email', 'u.name', 'u.is_superuser')
        .first();
    if (!row) return undefined;
    return {
      session: this.toSession(row),
      user: { id: row.user_id, email: row.email, name: row.name, is_superuser: row.is_superuser },
    };
  }

  private toSession(row: SessionRow): Session {
    return {
      id: row.id,
      userId: row.user_id,
      createdAt: new Date(row.created_at),
      lastSeenAt: new Date(row.last_seen_at),
      expiresAt: new Date(row.expires_at),
      ip: row.ip,
      userAgent: row.user_agent,
      twoFactorVerified: row.two_factor_verified,
      pendingSecondFactor: row.has_2fa && !row.two_factor_verified,
      csrfToken: deriveCsrfToken(this.csrfKey, row.token_hash),
      client: row.client,
    };
  }
}

function newSessionToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}
