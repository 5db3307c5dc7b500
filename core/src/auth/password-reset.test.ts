import assert from 'node:assert/strict';
import { createLogger } from '../logging';
import { Mailer } from '../mail';
import { describeEachDatabase } from '../testing/databases';
import { InvalidResetTokenError, PasswordPolicyError } from './errors';
import { completePasswordReset, login, requestPasswordReset } from './flows';
import type { AuthServices } from './services';
import { makeUser, manualClock, testAuthServices } from './test-helpers';
import { startSmtpServer, type TestSmtpServer } from '../testing/smtp';

/** The token from the link in a received mail (quoted-printable soft breaks undone). */
function tokenFrom(raw: string): string {
  const text = raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  const match = /\/auth\/reset-password\?token=([A-Za-z0-9_%-]+)/.exec(text);
  assert.ok(match, `no reset link in:\n${raw}`);
  return decodeURIComponent(match[1]);
}

describeEachDatabase('password reset by email', (ctx) => {
  let smtp: TestSmtpServer;
  let mailer: Mailer;
  const clock = manualClock(Date.now());
  let auth: AuthServices;

  before(async () => {
    smtp = await startSmtpServer();
    mailer = new Mailer(
      { smtpUrl: smtp.url, from: 'Faultline <faultline@test.example>' },
      createLogger('silent'),
    );
    auth = testAuthServices(ctx.db.knex, { mailer, now: clock.now, publicUrl: 'https://errors.example.com' });
  });
  after(async () => {
    mailer?.close();
    await smtp?.close();
  });

  it('mails a link whose token resets the password once, ending every session', async () => {
    const user = await makeUser(ctx.db.knex, auth, 'the old passphrase');
    const before = await login(auth, { email: user.email, password: 'the old passphrase', ip: '127.0.0.1' });
    smtp.inbox.length = 0;
    await requestPasswordReset(auth, { email: user.email.toUpperCase(), ip: '127.0.0.1' });
    await auth.passwordReset.idle();
    assert.equal(smtp.inbox.length, 1);
    const [mail] = smtp.inbox;
    assert.deepEqual(mail.to, [user.email]);
    assert.equal(mail.from, 'faultline@test.example');
    assert.match(mail.raw, /Subject: Reset your Faultline password/);
    assert.match(
      mail.raw.replace(/=\r?\n/g, ''),
      /https:\/\/errors\.example\.com\/auth\/reset-password\?token/,
    );
    const token = tokenFrom(mail.raw);
    assert.match(token, /^flr_/);
    const stored = await ctx.db.knex('password_reset_tokens').where({ user_id: user.id }).first();
    assert.notEqual(stored.token_hash, token);
    assert.ok(!stored.token_hash.includes(token.slice(4)));

    // A password the policy refuses leaves the token usable.
    await assert.rejects(
      completePasswordReset(auth, { token, newPassword: 'short', ip: '127.0.0.1' }),
      PasswordPolicyError,
    );
    await completePasswordReset(auth, { token, newPassword: 'a brand new passphrase', ip: '127.0.0.1' });
    assert.equal(await auth.sessions.lookup(before.cookies[0].value), undefined);
    assert.equal(
      (await login(auth, { email: user.email, password: 'a brand new passphrase', ip: '127.0.0.1' })).user.id,
      user.id,
    );
    await assert.rejects(
      completePasswordReset(auth, { token, newPassword: 'yet another passphrase', ip: '127.0.0.1' }),
      InvalidResetTokenError,
    );
    assert.equal(await auth.passwords.verifyPassword(user.email, 'yet another passphrase'), undefined);
  });

  it('answers the same for an unknown email and sends nothing', async () => {
    smtp.inbox.length = 0;
    await requestPasswordReset(auth, { email: 'nobody-here@example.com', ip: '127.0.0.2' });
    await auth.passwordReset.idle();
    assert.equal(smtp.inbox.length, 0);
  });

  it('a token expires after an hour; a newer reset uses up the older tokens', async () => {
    const user = await makeUser(ctx.db.knex, auth, 'the old passphrase');
    smtp.inbox.length = 0;
    await requestPasswordReset(auth, { email: user.email, ip: '127.0.0.3' });
    await auth.passwordReset.idle();
    const expiring = tokenFrom(smtp.inbox[0].raw);
    clock.advance(61 * 60_000);
    await assert.rejects(
      completePasswordReset(auth, {
        token: expiring,
        newPassword: 'a brand new passphrase',
        ip: '127.0.0.3',
      }),
      InvalidResetTokenError,
    );
    await requestPasswordReset(auth, { email: user.email, ip: '127.0.0.3' });
    await requestPasswordReset(auth, { email: user.email, ip: '127.0.0.3' });
    await auth.passwordReset.idle();
    const [first, second] = smtp.inbox.slice(1).map((m) => tokenFrom(m.raw));
    await completePasswordReset(auth, {
      token: second,
      newPassword: 'a brand new passphrase',
      ip: '127.0.0.3',
    });
    await assert.rejects(
      completePasswordReset(auth, { token: first, newPassword: 'another new passphrase', ip: '127.0.0.3' }),
      InvalidResetTokenError,
    );
    await assert.rejects(
      completePasswordReset(auth, {
        token: 'flr_made_up',
        newPassword: 'another new passphrase',
        ip: '127.0.0.3',
      }),
      InvalidResetTokenError,
    );
  });

  it('gives a person without a password a one-time link to choose one, and nobody else', async () => {
    const fresh = await makeUser(ctx.db.knex, auth);
    const link = await auth.passwordReset.firstPasswordLink(fresh.email);
    assert.ok(link);
    assert.match(link, /^https:\/\/errors\.example\.com\/auth\/reset-password\?token=flr_/);
    const token = decodeURIComponent(new URL(link).searchParams.get('token')!);
    await completePasswordReset(auth, { token, newPassword: 'my first passphrase', ip: '127.0.0.1' });
    assert.equal(
      (await login(auth, { email: fresh.email, password: 'my first passphrase', ip: '127.0.0.1' })).user.id,
      fresh.id,
    );
    await assert.rejects(
      completePasswordReset(auth, { token, newPassword: 'another passphrase', ip: '127.0.0.1' }),
      InvalidResetTokenError,
    );
    // Once a password is set (or for someone who has one), no link: it would be a way around it.
    assert.equal(await auth.passwordReset.firstPasswordLink(fresh.email), undefined);
    const withPassword = await makeUser(ctx.db.knex, auth, 'an existing passphrase');
    assert.equal(await auth.passwordReset.firstPasswordLink(withPassword.email), undefined);
    assert.equal(await auth.passwordReset.firstPasswordLink('nobody@example.com'), undefined);
  });
});
