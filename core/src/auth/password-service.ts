import type { Knex } from 'knex';
import type { User } from '../accounts';
import { NotFoundError } from '../errors';
import { PasswordHasher } from './password-hasher';
import { checkPasswordPolicy } from './password-policy';
import { publicUser, UserCredentials, type UserWithPassword } from './user-credentials';

/** Sets and checks people's passwords: policy on the way in, argon2id at rest, rehash on the way out. */
export class PasswordService {
  private readonly users: UserCredentials;
  /** Verified against when the email is unknown, so both cases take the same time. */
  private dummyHash: Promise<string> | undefined;

  constructor(
    knex: Knex,
    readonly hasher: PasswordHasher = new PasswordHasher(),
  ) {
    this.users = new UserCredentials(knex);
  }

  /** Checks the policy, then stores the new hash. Throws `PasswordPolicyError` or `NotFoundError`. */
  async setPassword(userId: number, password: string): Promise<void> {
    const user = await this.users.findById(userId);
    if (!user) throw new NotFoundError('No such user');
    checkPasswordPolicy(password, { email: user.email });
    await this.users.setPasswordHash(userId, await this.hasher.hash(password));
  }

  /**
   * The user when the email and password match, else undefined. Unknown emails and users without a
   * password cost one argon2 verification too, so timing does not tell which emails exist. A hash
   * made with older parameters is replaced on success.
   */
  async verifyPassword(email: string, password: string): Promise<User | undefined> {
    return this.check(await this.users.findByEmail(email), password);
  }

  /** Same as `verifyPassword`, for a user known by id (re-authentication before sensitive changes). */
  async verifyPasswordOf(userId: number, password: string): Promise<boolean> {
    return (await this.check(await this.users.findById(userId), password)) !== undefined;
  }

  private async check(user: UserWithPassword | undefined, password: string): Promise<User | undefined> {
    if (!user?.password_hash) {
      this.dummyHash ??= this.hasher.hash('not a real password, only spends the time');
      await this.hasher.verify(await this.dummyHash, password);
      return undefined;
    }
    if (!(await this.hasher.verify(user.password_hash, password))) return undefined;
    if (this.hasher.needsRehash(user.password_hash)) {
      await this.users.setPasswordHash(user.id, await this.hasher.hash(password));
    }
    return publicUser(user);
  }
}
