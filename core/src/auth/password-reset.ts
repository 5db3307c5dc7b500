import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { hashToken } from '../accounts';
import type { Logger } from '../logging';
import type { Mailer } from '../mail';
import { InvalidResetTokenError } from './errors';
import type { PasswordHasher } from './password-hasher';
import { checkPasswordPolicy } from './password-policy';
import { UserCredentials } from './user-credentials';

export const RESET_TOKEN_LIFETIME_SECONDS = 3600;
/** Where the web UI takes the token; the link is `${publicUrl}${RESET_PATH}?token=…`. */
export const RESET_PATH = '/auth/reset-password';

const TOKEN_PREFIX = 'flr_';

export interface PasswordResetOptions {
  publicUrl: string;
  now: () => number;
}

/**
 * Password reset by emailed link: a random token, stored hashed, valid one hour, single use.
 * Requesting a reset answers the same whether or not the email belongs to someone, and the mail is
 * sent after the answer, so not even the timing tells.
 */
export class PasswordResetService {
  private readonly users: UserCredentials;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly knex: Knex,
    private readonly hasher: PasswordHasher,
    private readonly mailer: Mailer,
    private readonly log: Logger,
    private readonly options: PasswordResetOptions,
  ) {
    this.users = new UserCredentials(knex);
  }

  /** Creates a token and mails the link when the email is a user's; does nothing visible otherwise. */
  async request(email: string): Promise<void> {
    const user = await this.users.findByEmail(email);
    if (!user) return;
    const link = await this.createLink(user.id);
    const delivery = this.mailer
      .send({
        to: user.email,
        subject: 'Reset your Faultline password',
        text: [
          'Someone (hopefully you) asked to reset the password of your Faultline account.',
          '',
          `Choose a new password here within the next hour: ${link}`,
          '',
          'If it was not you, ignore this mail; your password stays as it is.',
        ].join('\n'),
      })
      .catch((err: unknown) => this.log.error({ err, userId: user.id }, 'password reset mail failed'))
      .finally(() => this.pending.delete(delivery));
    this.pending.add(delivery);
  }

  /**
   * The one-time link a person without a password opens to choose one: what the first
   * `faultline start --bootstrap` prints for the admin it created, so nobody needs the CLI (or mail)
   * to get in. Undefined when the email has a password already (the link would be a way around it).
   */
  async firstPasswordLink(email: string): Promise<string | undefined> {
    const user = await this.users.findByEmail(email);
    if (!user || user.password_hash !== null) return undefined;
    return this.createLink(user.id);
  }

  /** A new single-use token for the user, stored hashed, and the web UI's link that carries it. */
  private async createLink(userId: number): Promise<string> {
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const now = this.options.now();
    await this.knex('password_reset_tokens').insert({
      user_id: userId,
      token_hash: hashToken(token),
      created_at: new Date(now),
      expires_at: new Date(now + RESET_TOKEN_LIFETIME_SECONDS * 1000),
    });
    return `${this.options.publicUrl}${RESET_PATH}?token=${encodeURIComponent(token)}`;
  }

  /** Resolves when every reset mail started so far has been handed to the SMTP server (or failed). */
  async idle(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  /**
   * Sets the new password with a valid token, uses the token up (with the user's other reset
   * tokens), and ends all the user's sessions. Returns the user id. Throws `InvalidResetTokenError`
   * or `PasswordPolicyError` (the token then stays valid for a second try).
   */
  async complete(token: string, newPassword: string): Promise<number> {
    const tokenHash = hashToken(token);
    const now = new Date(this.options.now());
    const found = await this.knex('password_reset_tokens as r')
      .join('users as u', 'u.id', 'r.user_id')
      .where('r.token_hash', tokenHash)
      .whereNull('r.used_at')
      .andWhere('r.expires_at', '>', now)
      .first('r.user_id', 'u.email');
    if (!found) throw new InvalidResetTokenError();
    checkPasswordPolicy(newPassword, { email: found.email });
    const passwordHash = await this.hasher.hash(newPassword);
    await this.knex.transaction(async (trx) => {
      // The conditional update is what makes the token single-use under concurrent requests.
      const claimed = await trx('password_reset_tokens')
        .where({ token_hash: tokenHash })
        .whereNull('used_at')
        .andWhere('expires_at', '>', now)
        .update({ used_at: now })
        .returning('id');
      if (claimed.length !== 1) throw new InvalidResetTokenError();
      await trx('password_reset_tokens')
        .where({ user_id: found.user_id })
        .whereNull('used_at')
        .update({ used_at: now });
      await trx('users').where({ id: found.user_id }).update({ password_hash: passwordHash });
      await trx('sessions').where({ user_id: found.user_id }).delete();
    });
    return found.user_id;
  }

  /** Deletes tokens that expired more than a day ago; returns how many. */
  async deleteExpired(): Promise<number> {
    return this.knex('password_reset_tokens')
      .where('expires_at', '<', new Date(this.options.now() - 86_400_000))
      .delete()
      .returning('id')
      .then((rows) => rows.length);
  }
}
