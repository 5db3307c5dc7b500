import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { AccountsRepository, type User } from '../accounts';
import { createLogger } from '../logging';
import { Mailer } from '../mail';
import { PasswordHasher } from './password-hasher';
import { createAuthServices, type AuthDependencies, type AuthServices } from './services';

/** Cheap argon2id parameters, so suites that hash many passwords stay fast. */
export const FAST_HASHER = new PasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });

export const TEST_SECRET_KEY = randomBytes(32);

/** A clock tests move by hand. */
export function manualClock(start = Date.parse('2030-01-01T00:00:00Z')): {
  now: () => number;
  advance: (ms: number) => void;
} {
  let now = start;
  return { now: () => now, advance: (ms) => (now += ms) };
}

export function testAuthServices(knex: Knex, overrides: Partial<AuthDependencies> = {}): AuthServices {
  const log = createLogger('silent');
  return createAuthServices({
    knex,
    secretKey: TEST_SECRET_KEY,
    publicUrl: 'http://127.0.0.1:8000',
    mailer: new Mailer({ smtpUrl: undefined, from: 'Faultline <faultline@test>' }, log),
    log,
    hasher: FAST_HASHER,
    ...overrides,
  });
}

let counter = 0;
/** A user with a unique email, and the password set when given. */
export async function makeUser(knex: Knex, auth: AuthServices, password?: string): Promise<User> {
  counter += 1;
  const user = await new AccountsRepository(knex).ensureUser(
    `person${counter}-${Date.now()}@example.com`,
    false,
  );
  if (password) await auth.passwords.setPassword(user.id, password);
  return user;
}
