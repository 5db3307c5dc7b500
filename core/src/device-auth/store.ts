import type { Knex } from 'knex';
import { hashToken } from '../accounts';

export type DeviceAuthorizationStatus = 'pending' | 'approved' | 'denied';

export interface DeviceAuthorization {
  id: number;
  clientId: string;
  requestedScopes: string[];
  status: DeviceAuthorizationStatus;
  userId: number | null;
  grantedScopes: string[] | null;
  intervalSeconds: number;
  lastPolledAt: Date | null;
  createdAt: Date;
  expiresAt: Date;
  tokenIssuedAt: Date | null;
}

interface Row {
  id: string | number;
  client_id: string;
  requested_scopes: string[];
  status: DeviceAuthorizationStatus;
  user_id: number | null;
  granted_scopes: string[] | null;
  interval_seconds: number;
  last_polled_at: Date | null;
  created_at: Date;
  expires_at: Date;
  token_issued_at: Date | null;
}

/** How long used and expired requests stay, so a late poll still hears `expired_token`, not "unknown". */
const KEEP_AFTER_EXPIRY_MS = 24 * 3600 * 1000;

/**
 * The `device_authorizations` table. Codes come in clear and are looked up by their SHA-256; no
 * rules live here (see `flow.ts`). Methods taking `trx` run inside the caller's transaction.
 */
export class DeviceAuthorizationStore {
  constructor(private readonly knex: Knex) {}

  /** Stores a new pending request; false when the user code is taken (the caller draws another). */
  async insert(input: {
    clientId: string;
    deviceCode: string;
    userCode: string;
    requestedScopes: string[];
    intervalSeconds: number;
    expiresAt: Date;
  }): Promise<boolean> {
    const inserted = await this.knex('device_authorizations')
      .insert({
        client_id: input.clientId,
        device_code_hash: hashToken(input.deviceCode),
        user_code_hash: hashToken(input.userCode),
        requested_scopes: input.requestedScopes,
        interval_seconds: input.intervalSeconds,
        expires_at: input.expiresAt,
      })
      .onConflict('user_code_hash')
      .ignore()
      .returning('id');
    return inserted.length > 0;
  }

  async findByUserCode(userCode: string): Promise<DeviceAuthorization | undefined> {
    const row: Row | undefined = await this.knex('device_authorizations')
      .where({ user_code_hash: hashToken(userCode) })
      .first();
    return row && toAuthorization(row);
  }

  /** The request of a device code, locked until `trx` ends, so two polls can't both take its token. */
  async lockByDeviceCode(
    trx: Knex.Transaction,
    deviceCode: string,
  ): Promise<DeviceAuthorization | undefined> {
    const row: Row | undefined = await trx('device_authorizations')
      .where({ device_code_hash: hashToken(deviceCode) })
      .forUpdate()
      .first();
    return row && toAuthorization(row);
  }

  async recordPoll(trx: Knex.Transaction, id: number, at: Date, intervalSeconds: number): Promise<void> {
    await trx('device_authorizations')
      .where({ id })
      .update({ last_polled_at: at, interval_seconds: intervalSeconds });
  }

  async markTokenIssued(trx: Knex.Transaction, id: number, at: Date): Promise<void> {
    await trx('device_authorizations').where({ id }).update({ token_issued_at: at });
  }

  /**
   * Records the person's answer, only while the request is still pending and unexpired; false
   * otherwise (answered meanwhile, in another tab, or expired).
   */
  async decide(
    id: number,
    decision: { userId: number; grantedScopes: string[] | null; at: Date },
  ): Promise<boolean> {
    const updated = await this.knex('device_authorizations')
      .where({ id, status: 'pending' })
      .andWhere('expires_at', '>', decision.at)
      .update({
        status: decision.grantedScopes ? 'approved' : 'denied',
        user_id: decision.userId,
        granted_scopes: decision.grantedScopes,
        decided_at: decision.at,
      })
      .returning('id');
    return updated.length > 0;
  }

  /** Deletes requests a day past their expiry; returns how many. */
  async deleteStale(now: Date): Promise<number> {
    const deleted = await this.knex('device_authorizations')
      .where('expires_at', '<', new Date(now.getTime() - KEEP_AFTER_EXPIRY_MS))
      .delete()
      .returning('id');
    return deleted.length;
  }
}

function toAuthorization(row: Row): DeviceAuthorization {
  return {
    id: Number(row.id),
    clientId: row.client_id,
    requestedScopes: row.requested_scopes,
    status: row.status,
    userId: row.user_id,
    grantedScopes: row.granted_scopes,
    intervalSeconds: row.interval_seconds,
    lastPolledAt: row.last_polled_at && new Date(row.last_polled_at),
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    tokenIssuedAt: row.token_issued_at && new Date(row.token_issued_at),
  };
}
