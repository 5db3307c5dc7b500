import assert from 'node:assert/strict';
import { generate } from 'otplib';
import { RateLimitedError } from '../errors';
import { describeEachDatabase } from '../testing/databases';
import { InvalidTwoFactorCodeError, TwoFactorStateError } from './errors';
import {
  beginTotpEnrolment,
  confirmTotpEnrolment,
  disableTwoFactor,
  login,
  regenerateRecoveryCodes,
  verifySecondFactor,
} from './flows';
import { SecretBox } from './secret-box';
import { makeUser, manualClock, testAuthServices } from './test-helpers';

const codeAt = (secret: string, ms: number) => generate({ secret, epoch: Math.floor(ms / 1000) });

describeEachDatabase('two-factor authentication (TOTP)', (ctx) => {
  it('enrols: secret and otpauth URI, inactive until confirmed with a code; the seed is encrypted at rest', async () => {
    const clock = manualClock();
    const auth = testAuthServices(ctx.db.knex, { now: clock.now });
    const user = await makeUser(ctx.db.knex, auth);
    const enrolment = await auth.twoFactor.beginEnrolment(user);
    assert.match(enrolment.secret, /^[A-Z2-7]{32}$/);
    assert.ok(enrolment.otpauthUri.startsWith('otpauth://totp/Faultline:'));
    assert.ok(enrolment.otpauthUri.includes(`secret=${enrolment.secret}`));
    const row = await ctx.db.knex('user_totp').where({ user_id: user.id }).first();
    assert.ok(!row.secret_encrypted.includes(enrolment.secret));
    assert.equal(row.confirmed_at, null);
    assert.equal(await auth.twoFactor.userHas2FA(user.id), false);

    await assert.rejects(auth.twoFactor.confirmEnrolment(user.id, '000000'), InvalidTwoFactorCodeError);
    const codes = await auth.twoFactor.confirmEnrolment(user.id, await codeAt(enrolment.secret, clock.now()));
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    for (const code of codes) assert.match(code, /^[a-z0-9]{5}-[a-z0-9]{5}$/);
    assert.equal(await auth.twoFactor.userHas2FA(user.id), true);
    const stored = await ctx.db.knex('recovery_codes').where({ user_id: user.id }).select('code_hash');
    assert.equal(stored.length, 10);
    assert.ok(stored.every((r) => !codes.some((c) => r.code_hash.includes(c.replace('-', '')))));
    await assert.rejects(auth.twoFactor.beginEnrolment(user), TwoFactorStateError);
    await assert.rejects(auth.twoFactor.confirmEnrolment(user.id, '123456'), TwoFactorStateError);
  });

  it('verifies codes within one step either way, never the same code twice, nor older ones', async () => {
    const clock = manualClock();
    const auth = testAuthServices(ctx.db.knex, { now: clock.now });
    const user = await makeUser(ctx.db.knex, auth);
    const { secret } = await auth.twoFactor.beginEnrolment(user);
    await auth.twoFactor.confirmEnrolment(user.id, await codeAt(secret, clock.now()));
    // The confirming code was used; it can't sign in.
    await assert.rejects(
      auth.twoFactor.verify(user.id, await codeAt(secret, clock.now())),
      InvalidTwoFactorCodeError,
    );
    clock.advance(60_000);
    const previous = await codeAt(secret, clock.now() - 30_000);
    const current = await codeAt(secret, clock.now());
    assert.equal(await auth.twoFactor.verify(user.id, current), 'totp');
    await assert.rejects(auth.twoFactor.verify(user.id, current), InvalidTwoFactorCodeError);
    await assert.rejects(auth.twoFactor.verify(user.id, previous), InvalidTwoFactorCodeError);
    clock.advance(30_000);
    assert.equal(await auth.twoFactor.verify(user.id, await codeAt(secret, clock.now() + 30_000)), 'totp');
    clock.advance(5 * 60_000);
    await assert.rejects(
      auth.twoFactor.verify(user.id, await codeAt(secret, clock.now() - 90_000)),
      InvalidTwoFactorCodeError,
    );
    await assert.rejects(
      auth.twoFactor.verify(user.id, await codeAt(secret, clock.now() + 90_000)),
      InvalidTwoFactorCodeError,
    );
    await assert.rejects(auth.twoFactor.verify(user.id, 'abc'), InvalidTwoFactorCodeError);
  });

  it('a code raced from two requests passes once', async () => {
    const clock = manualClock();
    const auth = testAuthServices(ctx.db.knex, { now: clock.now });
    const user = await makeUser(ctx.db.knex, auth);
    const { secret } = await auth.twoFactor.beginEnrolment(user);
    await auth.twoFactor.confirmEnrolment(user.id, await codeAt(secret, clock.now()));
    clock.advance(30_000);
    const code = await codeAt(secret, clock.now());
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => auth.twoFactor.verify(user.id, code)),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  });

  it('recovery codes work once each, in any case and with or without the dash; regenerating replaces them', async () => {
    const clock = manualClock();
    const auth = testAuthServices(ctx.db.knex, { now: clock.now });
    const user = await makeUser(ctx.db.knex, auth);
    const { secret } = await auth.twoFactor.beginEnrolment(user);
    const codes = await auth.twoFactor.confirmEnrolment(user.id, await codeAt(secret, clock.now()));
    assert.equal(await auth.twoFactor.verify(user.id, codes[0]), 'recovery_code');
    await assert.rejects(auth.twoFactor.verify(user.id, codes[0]), InvalidTwoFactorCodeError);
    assert.equal(
      await auth.twoFactor.verify(user.id, ` ${codes[1].toUpperCase().replace('-', '')} `),
      'recovery_code',
    );
    assert.equal(await auth.twoFactor.remainingRecoveryCodes(user.id), 8);
    await assert.rejects(auth.twoFactor.verify(user.id, 'aaaaa-bbbbb'), InvalidTwoFactorCodeError);
    const fresh = await auth.twoFactor.regenerateRecoveryCodes(user.id);
    await assert.rejects(auth.twoFactor.verify(user.id, codes[2]), InvalidTwoFactorCodeError);
    assert.equal(await auth.twoFactor.verify(user.id, fresh[2]), 'recovery_code');
  });

  it('a seed encrypted with another key, or moved to another user, does not decrypt', () => {
    const box = new SecretBox(Buffer.alloc(32, 1));
    const sealed = box.seal('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', 'totp:user:1');
    assert.equal(box.open(sealed, 'totp:user:1'), 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
    assert.throws(() => box.open(sealed, 'totp:user:2'));
    assert.throws(() => new SecretBox(Buffer.alloc(32, 2)).open(sealed, 'totp:user:1'));
  });

  it('login with 2FA: the session is pending (authenticates nothing) until the second factor; other sessions too', async () => {
    const clock = manualClock(Date.now());
    const auth = testAuthServices(ctx.db.knex, { now: clock.now });
    const user = await makeUser(ctx.db.knex, auth, 'a long enough passphrase');
    const client = { email: user.email, password: 'a long enough passphrase', ip: '127.0.0.1' };
    const before = await login(auth, client);
    const beforeCaller = (await auth.authenticator.authenticate(before.cookies[0].value, undefined, 'GET'))!;

    const { secret } = await beginTotpEnrolment(auth, beforeCaller);
    const enabled = await confirmTotpEnrolment(
      auth,
      { ...beforeCaller, session: beforeCaller.session },
      await codeAt(secret, clock.now()),
    );
    assert.equal(enabled.recoveryCodes.length, 10);
    assert.equal(enabled.secondFactorRequired, false);
    assert.ok(await auth.authenticator.authenticate(enabled.cookies[0].value, undefined, 'GET'));

    const other = await login(auth, client);
    assert.equal(other.secondFactorRequired, true);
    assert.ok(other.session.expiresAt.getTime() - clock.now() <= 10 * 60_000);
    assert.equal(await auth.authenticator.authenticate(other.cookies[0].value, undefined, 'GET'), undefined);
    const pending = await auth.authenticator.authenticate(
      other.cookies[0].value,
      other.session.csrfToken,
      'POST',
      {
        allowPendingSecondFactor: true,
      },
    );
    assert.ok(pending);
    await assert.rejects(verifySecondFactor(auth, pending, '000000'), InvalidTwoFactorCodeError);
    clock.advance(30_000);
    const verified = await verifySecondFactor(auth, pending, await codeAt(secret, clock.now()));
    assert.equal(verified.method, 'totp');
    assert.equal(verified.secondFactorRequired, false);
    assert.equal(verified.session.twoFactorVerified, true);
    assert.ok(verified.session.expiresAt.getTime() - clock.now() > 29 * 86_400_000);
    assert.equal(
      await auth.sessions.lookup(other.cookies[0].value),
      undefined,
      'the pending token was rotated',
    );
    assert.equal(
      (await auth.authenticator.authenticate(verified.cookies[0].value, undefined, 'GET'))?.user.id,
      user.id,
    );

    const third = await login(auth, client);
    const thirdCaller = (await auth.authenticator.authenticate(third.cookies[0].value, undefined, 'GET', {
      allowPendingSecondFactor: true,
    }))!;
    const viaRecovery = await verifySecondFactor(auth, thirdCaller, enabled.recoveryCodes[0]);
    assert.equal(viaRecovery.method, 'recovery_code');
    assert.equal(viaRecovery.recoveryCodesLeft, 9);

    const fourth = await login(auth, client);
    const fourthCaller = (await auth.authenticator.authenticate(fourth.cookies[0].value, undefined, 'GET', {
      allowPendingSecondFactor: true,
    }))!;
    // One failure above already counts: 4 more make the 5 allowed in 15 minutes.
    for (let i = 0; i < 4; i++)
      await assert.rejects(verifySecondFactor(auth, fourthCaller, '000000'), InvalidTwoFactorCodeError);
    await assert.rejects(verifySecondFactor(auth, fourthCaller, enabled.recoveryCodes[1]), RateLimitedError);
  });

  it('disabling and regenerating need the password; after disabling, login needs no second factor', async () => {
    const clock = manualClock(Date.now());
    const auth = testAuthServices(ctx.db.knex, { now: clock.now });
    const user = await makeUser(ctx.db.knex, auth, 'a long enough passphrase');
    const signed = await login(auth, {
      email: user.email,
      password: 'a long enough passphrase',
      ip: '127.0.0.1',
    });
    const caller = (await auth.authenticator.authenticate(signed.cookies[0].value, undefined, 'GET'))!;
    await assert.rejects(
      regenerateRecoveryCodes(auth, caller, { password: 'a long enough passphrase', ip: '127.0.0.1' }),
      TwoFactorStateError,
    );
    const { secret } = await beginTotpEnrolment(auth, caller);
    const enabled = await confirmTotpEnrolment(auth, caller, await codeAt(secret, clock.now()));
    const verifiedCaller = (await auth.authenticator.authenticate(
      enabled.cookies[0].value,
      undefined,
      'GET',
    ))!;
    await assert.rejects(
      disableTwoFactor(auth, verifiedCaller, { password: 'wrong password!!', ip: '127.0.0.1' }),
    );
    const codes = await regenerateRecoveryCodes(auth, verifiedCaller, {
      password: 'a long enough passphrase',
      ip: '127.0.0.1',
    });
    assert.equal(codes.length, 10);
    await disableTwoFactor(auth, verifiedCaller, { password: 'a long enough passphrase', ip: '127.0.0.1' });
    assert.equal(await auth.twoFactor.userHas2FA(user.id), false);
    assert.equal(await ctx.db.knex('recovery_codes').where({ user_id: user.id }).first(), undefined);
    const again = await login(auth, {
      email: user.email,
      password: 'a long enough passphrase',
      ip: '127.0.0.1',
    });
    assert.equal(again.secondFactorRequired, false);
  });
});
