import type { Knex } from 'knex';
import { generateSecret, generateURI, verify } from 'otplib';
import { InvalidTwoFactorCodeError, TwoFactorStateError } from './errors';
import {
  hashRecoveryCode,
  looksLikeRecoveryCode,
  newRecoveryCode,
  RECOVERY_CODE_COUNT,
} from './recovery-codes';
import type { SecretBox } from './secret-box';

export interface TotpEnrolment {
  /** Base32 seed, for typing into an authenticator by hand; not retrievable after this answer. */
  secret: string;
  /** otpauth://totp/… URI, for a QR code. */
  otpauthUri: string;
}

export const SECOND_FACTOR_METHODS = ['totp', 'recovery_code'] as const;
export type SecondFactorMethod = (typeof SECOND_FACTOR_METHODS)[number];

export interface TwoFactorOptions {
  issuer: string;
  /** Seconds of clock drift accepted either way; 30 = one TOTP step before or after. */
  toleranceSeconds: number;
  now: () => number;
}

const TOTP_CODE = /^\d{6}$/;

interface TotpRow {
  user_id: number;
  secret_encrypted: string;
  confirmed_at: Date | null;
  last_time_step: string | number | null;
}

/**
 * TOTP second factor (RFC 6238 through otplib) and recovery codes. Seeds are encrypted at rest;
 * each accepted TOTP time step is recorded so a code can't be used twice, and each recovery code
 * is single-use. Both checks are conditional updates, so two requests racing with the same code
 * can't both pass.
 */
export class TwoFactorService {
  private readonly options: TwoFactorOptions;

  constructor(
    private readonly knex: Knex,
    private readonly box: SecretBox,
    private readonly recoveryKey: Buffer,
    options: Partial<TwoFactorOptions> = {},
  ) {
    this.options = { issuer: 'Faultline', toleranceSeconds: 30, now: Date.now, ...options };
  }

  async userHas2FA(userId: number): Promise<boolean> {
    const row = await this.knex('user_totp')
      .where({ user_id: userId })
      .whereNotNull('confirmed_at')
      .first('user_id');
    return row !== undefined;
  }

  /** Starts (or restarts) enrolment: a new seed, inactive until `confirmEnrolment` gets a code from it. */
  async beginEnrolment(user: { id: number; email: string }): Promise<TotpEnrolment> {
    if (await this.userHas2FA(user.id)) {
      throw new TwoFactorStateError(
        'Two-factor authentication is already on; turn it off first to enrol a new authenticator',
        'two_factor_already_enabled',
      );
    }
    const secret = generateSecret();
    const sealed = this.box.seal(secret, sealContext(user.id));
    await this.knex('user_totp')
      .insert({ user_id: user.id, secret_encrypted: sealed, created_at: new Date(this.options.now()) })
      .onConflict('user_id')
      .merge({ secret_encrypted: sealed, created_at: new Date(this.options.now()), last_time_step: null });
    return { secret, otpauthUri: generateURI({ issuer: this.options.issuer, label: user.email, secret }) };
  }

  /** Turns 2FA on once `code` verifies against the pending seed; returns the recovery codes, shown once. */
  async confirmEnrolment(userId: number, code: string): Promise<string[]> {
    const row = await this.totpRow(userId);
    if (!row || row.confirmed_at) {
      throw new TwoFactorStateError(
        'There is no authenticator enrolment waiting for confirmation',
        'two_factor_not_pending',
      );
    }
    if (!(await this.acceptTotp(row, code))) throw new InvalidTwoFactorCodeError();
    await this.knex('user_totp')
      .where({ user_id: userId })
      .update({ confirmed_at: new Date(this.options.now()) });
    return this.regenerateRecoveryCodes(userId);
  }

  /**
   * Checks a second-factor code: a 6-digit TOTP code or a recovery code. Returns which kind passed;
   * throws `InvalidTwoFactorCodeError` when neither does.
   */
  async verify(userId: number, code: string): Promise<SecondFactorMethod> {
    const trimmed = code.replace(/\s+/g, '');
    if (TOTP_CODE.test(trimmed)) {
      const row = await this.totpRow(userId);
      if (row?.confirmed_at && (await this.acceptTotp(row, trimmed))) return 'totp';
    } else if (looksLikeRecoveryCode(trimmed) && (await this.useRecoveryCode(userId, trimmed))) {
      return 'recovery_code';
    }
    throw new InvalidTwoFactorCodeError();
  }

  /** Replaces all recovery codes with new ones and returns them in clear, once. */
  async regenerateRecoveryCodes(userId: number): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await this.knex.transaction(async (trx) => {
      await trx('recovery_codes').where({ user_id: userId }).delete();
      await trx('recovery_codes').insert(
        codes.map((code) => ({ user_id: userId, code_hash: hashRecoveryCode(this.recoveryKey, code) })),
      );
    });
    return codes;
  }

  async remainingRecoveryCodes(userId: number): Promise<number> {
    const row = await this.knex('recovery_codes')
      .where({ user_id: userId })
      .whereNull('used_at')
      .first(this.knex.raw('count(*)::int as count'));
    return Number(row?.count ?? 0);
  }

  /** Turns 2FA off: the seed and every recovery code are deleted. */
  async disable(userId: number): Promise<void> {
    await this.knex.transaction(async (trx) => {
      await trx('user_totp').where({ user_id: userId }).delete();
      await trx('recovery_codes').where({ user_id: userId }).delete();
    });
  }

  private async totpRow(userId: number): Promise<TotpRow | undefined> {
    return this.knex('user_totp').where({ user_id: userId }).first();
  }

  /** Verifies a TOTP code and claims its time step; false when wrong or a replay. */
  private async acceptTotp(row: TotpRow, code: string): Promise<boolean> {
    if (!TOTP_CODE.test(code)) return false;
    const secret = this.box.open(row.secret_encrypted, sealContext(row.user_id));
    const last = row.last_time_step === null ? undefined : Number(row.last_time_step);
    const result = await verify({
      secret,
      token: code,
      epoch: Math.floor(this.options.now() / 1000),
      epochTolerance: this.options.toleranceSeconds,
      afterTimeStep: last,
    });
    // The functional API types HOTP and TOTP results together; only TOTP's carries the time step.
    if (!result.valid || !('timeStep' in result)) return false;
    const claimed = await this.knex('user_totp')
      .where({ user_id: row.user_id })
      .andWhere((q) => q.whereNull('last_time_step').orWhere('last_time_step', '<', result.timeStep))
      .update({ last_time_step: result.timeStep })
      .returning('user_id');
    return claimed.length === 1;
  }

  private async useRecoveryCode(userId: number, code: string): Promise<boolean> {
    const used = await this.knex('recovery_codes')
      .where({ user_id: userId, code_hash: hashRecoveryCode(this.recoveryKey, code) })
      .whereNull('used_at')
      .update({ used_at: new Date(this.options.now()) })
      .returning('id');
    return used.length === 1;
  }
}

function sealContext(userId: number): string {
  return `totp:user:${userId}`;
}
