import assert from 'node:assert/strict';
import { describeEachDatabase } from '../testing/databases';
import { PasswordPolicyError } from './errors';
import { PasswordHasher } from './password-hasher';
import { checkPasswordPolicy } from './password-policy';
import { PasswordService } from './password-service';
import { FAST_HASHER, makeUser, testAuthServices } from './test-helpers';
import { NotFoundError } from '../errors';

describe('password policy', () => {
  const email = 'ada.lovelace@example.com';
  const cases: [string, string, PasswordPolicyError['rule'] | undefined][] = [
    ['nine char', 'abcdefgh9', 'too_short'],
    ['ten characters', 'abcdefgh10', undefined],
    ['very long', 'x'.repeat(200) + 'abcd'.repeat(20), 'too_long'],
    ['the email', 'ADA.LOVELACE@example.com', 'matches_email'],
    ['the local part', 'ada.lovelace', 'matches_email'],
    ['a common one', 'Password123', 'too_common'],
    ['digits in a row', '1234567890', 'too_common'],
    ['one repeated character', 'aaaaaaaaaaaa', 'too_simple'],
    ['three characters', 'abcabcabcabc', 'too_simple'],
    ['a passphrase', 'correct horse battery staple', undefined],
    ['ten non-Latin characters', 'пароль-длинн', undefined],
    ['emoji count as one each', '🔒🔑🗝️🔐', 'too_short'],
  ];
  for (const [name, password, rule] of cases) {
    it(`${name}: ${rule ?? 'accepted'}`, () => {
      if (!rule) return checkPasswordPolicy(password, { email });
      assert.throws(
        () => checkPasswordPolicy(password, { email }),
        (error: unknown) =>
          error instanceof PasswordPolicyError && error.rule === rule && error.status === 400,
      );
    });
  }

  it('errors carry a code per rule and a sentence that says what to fix', () => {
    try {
      checkPasswordPolicy('short', { email });
      assert.fail('expected a policy error');
    } catch (error) {
      assert.ok(error instanceof PasswordPolicyError);
      assert.equal(error.code, 'password_too_short');
      assert.match(error.message, /at least 10 characters/);
    }
  });
});

describe('PasswordHasher (argon2id)', () => {
  const hasher = new PasswordHasher();

  it('hashes with argon2id and the default parameters, salted', async () => {
    const a = await hasher.hash('correct horse battery');
    const b = await hasher.hash('correct horse battery');
    assert.match(a, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.notEqual(a, b);
    assert.equal(hasher.needsRehash(a), false);
  });

  it('verifies the right password only, and treats a malformed hash as a mismatch', async () => {
    const stored = await hasher.hash('correct horse battery');
    assert.equal(await hasher.verify(stored, 'correct horse battery'), true);
    assert.equal(await hasher.verify(stored, 'correct horse batterz'), false);
    assert.equal(await hasher.verify('not-a-hash', 'anything'), false);
  });

  it('asks for a rehash when the parameters or the algorithm differ', async () => {
    const old = await FAST_HASHER.hash('correct horse battery');
    assert.equal(hasher.needsRehash(old), true);
    assert.equal(hasher.needsRehash('$2b$10$abcdefghijklmnopqrstuv'), true);
  });
});

describeEachDatabase('PasswordService', (ctx) => {
  it('sets a password (policy first) and verifies it by email, case-insensitively', async () => {
    const auth = testAuthServices(ctx.db.knex);
    const user = await makeUser(ctx.db.knex, auth);
    await assert.rejects(auth.passwords.setPassword(user.id, 'short'), PasswordPolicyError);
    await assert.rejects(auth.passwords.setPassword(user.id, user.email), PasswordPolicyError);
    await auth.passwords.setPassword(user.id, 'a long enough passphrase');
    const stored = await ctx.db.knex('users').where({ id: user.id }).first('password_hash');
    assert.match(stored.password_hash, /^\$argon2id\$/);
    assert.ok(!stored.password_hash.includes('passphrase'));
    assert.equal(
      (await auth.passwords.verifyPassword(user.email.toUpperCase(), 'a long enough passphrase'))?.id,
      user.id,
    );
    assert.equal(await auth.passwords.verifyPassword(user.email, 'a long enough passphrasE'), undefined);
    assert.equal(await auth.passwords.verifyPasswordOf(user.id, 'a long enough passphrase'), true);
    assert.equal(await auth.passwords.verifyPasswordOf(user.id, 'wrong one entirely'), false);
  });

  it('answers undefined for unknown emails and for users without a password', async () => {
    const auth = testAuthServices(ctx.db.knex);
    const user = await makeUser(ctx.db.knex, auth);
    assert.equal(await auth.passwords.verifyPassword(user.email, 'anything at all'), undefined);
    assert.equal(await auth.passwords.verifyPassword('nobody@example.com', 'anything at all'), undefined);
    await assert.rejects(auth.passwords.setPassword(999_999, 'a long enough passphrase'), NotFoundError);
  });

  it('rehashes with the current parameters after a successful verification', async () => {
    const auth = testAuthServices(ctx.db.knex);
    const user = await makeUser(ctx.db.knex, auth, 'a long enough passphrase');
    const before = (await ctx.db.knex('users').where({ id: user.id }).first('password_hash')).password_hash;
    assert.match(before, /m=1024,t=1,p=1/);
    const stronger = new PasswordService(
      ctx.db.knex,
      new PasswordHasher({ memoryCost: 2048, timeCost: 2, parallelism: 1 }),
    );
    assert.equal(await stronger.verifyPassword(user.email, 'wrong password here'), undefined);
    assert.equal(
      (await ctx.db.knex('users').where({ id: user.id }).first('password_hash')).password_hash,
      before,
    );
    assert.equal((await stronger.verifyPassword(user.email, 'a long enough passphrase'))?.id, user.id);
    const after = (await ctx.db.knex('users').where({ id: user.id }).first('password_hash')).password_hash;
    assert.match(after, /m=2048,t=2,p=1/);
    assert.equal((await stronger.verifyPassword(user.email, 'a long enough passphrase'))?.id, user.id);
  });
});
