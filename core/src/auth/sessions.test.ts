import assert from 'node:assert/strict';
import { hashToken } from '../accounts';
import { describeEachDatabase } from '../testing/databases';
import { SessionCookies } from './cookies';
import { assertCsrf } from './csrf';
import { CsrfError, InvalidCredentialsError } from './errors';
import { changePassword, login, logout } from './flows';
import { makeUser, manualClock, testAuthServices } from './test-helpers';

const DAY = 86_400_000;

describe('session cookies', () => {
  it('are httpOnly (session), SameSite=Lax, path / and not Secure over http', () => {
    const cookies = new SessionCookies('http://127.0.0.1:8000');
    const session = cookies.session('fls_x', 60);
    assert.equal(session.name, 'faultline_session');
    assert.deepEqual(session.options, {
      httpOnly: true,
      sameSite: 'lax',
      secure: false,
      path: '/',
      maxAge: 60_000,
      overwrite: true,
    });
    const csrf = cookies.csrf('token', 60);
    assert.equal(csrf.name, 'faultline_csrf');
    assert.equal(csrf.options.httpOnly, false);
  });

  it('are Secure with the __Host- prefix when PUBLIC_URL is https', () => {
    const cookies = new SessionCookies('https://errors.example.com');
    const session = cookies.session('fls_x', 60);
    assert.equal(session.name, '__Host-faultline_session');
    assert.equal(session.options.secure, true);
    assert.deepEqual(
      cookies.cleared().map((c) => [c.name, c.value, c.options.maxAge]),
      [
        ['__Host-faultline_session', '', 0],
        ['__Host-faultline_csrf', '', 0],
      ],
    );
  });
});

describe('assertCsrf', () => {
  it('accepts only the exact token', () => {
    assertCsrf({ csrfToken: 'abc123' }, 'abc123');
    for (const bad of [undefined, '', 'abc12', 'abc1234', 'ABC123']) {
      assert.throws(() => assertCsrf({ csrfToken: 'abc123' }, bad), CsrfError);
    }
  });
});

describeEachDatabase('sessions', (ctx) => {
  it('stores only a hash of the token, with the client, and looks the session up with its user', async () => {
    const auth = testAuthServices(ctx.db.knex);
    const user = await makeUser(ctx.db.knex, auth);
    const { token, session } = await auth.sessions.create(user.id, {
      ip: '192.0.2.1',
      userAgent: 'Mozilla/5.0',
    });
    assert.match(token, /^fls_[A-Za-z0-9_-]{43}$/);
    const row = await ctx.db.knex('sessions').where({ id: session.id }).first();
    assert.equal(row.token_hash, hashToken(token));
    assert.ok(!JSON.stringify(row).includes(token.slice(4)));
    assert.equal(row.ip, '192.0.2.1');
    assert.equal(row.user_agent, 'Mozilla/5.0');
    const found = await auth.sessions.lookup(token);
    assert.equal(found?.user.email, user.email);
    assert.equal(found?.session.id, session.id);
    assert.equal(found?.session.pendingSecondFactor, false);
    assert.equal(found?.session.csrfToken, session.csrfToken);
    assert.equal(await auth.sessions.lookup(token + 'x'), undefined);
    assert.equal(await auth.sessions.lookup('not a token'), undefined);
  });

  it('ends after 7 idle days and after 30 days in any case; last-seen is refreshed by use', async () => {
    const clock = manualClock();
    const auth = testAuthServices(ctx.db.knex, { now: clock.now });
    const user = await makeUser(ctx.db.knex, auth);
    const idle = await auth.sessions.create(user.id);
    const busy = await auth.sessions.create(user.id);
    for (let day = 0; day < 29; day++) {
      clock.advance(DAY);
      assert.ok(await auth.sessions.lookup(busy.token), `busy session alive on day ${day + 1}`);
      if (day === 5) assert.ok(await auth.sessions.lookup(idle.token));
      if (day === 13) assert.equal(await auth.sessions.lookup(idle.token), undefined);
    }
    clock.advance(DAY);
    assert.equal(await auth.sessions.lookup(busy.token), undefined);
    assert.ok((await auth.sessions.deleteExpired()) >= 2);
  });

  it('rotation replaces the token and the CSRF token; revoke and revoke-all end sessions', async () => {
    const auth = testAuthServices(ctx.db.knex);
    const user = await makeUser(ctx.db.knex, auth);
    const a = await auth.sessions.create(user.id);
    const b = await auth.sessions.create(user.id);
    const c = await auth.sessions.create(user.id);
    const rotated = await auth.sessions.rotate(a.session);
    assert.equal(rotated.session.id, a.session.id);
    assert.notEqual(rotated.session.csrfToken, a.session.csrfToken);
    assert.equal(await auth.sessions.lookup(a.token), undefined);
    assert.ok(await auth.sessions.lookup(rotated.token));
    await auth.sessions.revoke(b.session.id);
    assert.equal(await auth.sessions.lookup(b.token), undefined);
    assert.equal((await auth.sessions.listForUser(user.id)).length, 2);
    assert.equal(await auth.sessions.revokeAllForUser(user.id, c.session.id), 1);
    assert.equal(await auth.sessions.lookup(rotated.token), undefined);
    assert.ok(await auth.sessions.lookup(c.token));
    assert.equal(await auth.sessions.revokeAllForUser(user.id), 1);
    assert.equal(await auth.sessions.lookup(c.token), undefined);
  });
});

describeEachDatabase('SessionAuthenticator and the login flow', (ctx) => {
  it('login sets the cookies; reads need no CSRF token, writes need the right one', async () => {
    const auth = testAuthServices(ctx.db.knex);
    const user = await makeUser(ctx.db.knex, auth, 'a long enough passphrase');
    await assert.rejects(
      login(auth, { email: user.email, password: 'wrong passphrase!', ip: '127.0.0.1' }),
      InvalidCredentialsError,
    );
    const signed = await login(auth, {
      email: user.email,
      password: 'a long enough passphrase',
      ip: '127.0.0.1',
      userAgent: 'test',
    });
    assert.equal(signed.secondFactorRequired, false);
    const [sessionCookie, csrfCookie] = signed.cookies;
    assert.equal(sessionCookie.name, 'faultline_session');
    assert.equal(sessionCookie.options.httpOnly, true);
    assert.ok(sessionCookie.options.maxAge > 0);
    assert.equal(csrfCookie.value, signed.session.csrfToken);

    const read = await auth.authenticator.authenticate(sessionCookie.value, undefined, 'GET');
    assert.equal(read?.user.id, user.id);
    assert.equal(
      (await auth.authenticator.authenticate(sessionCookie.value, undefined, 'head'))?.user.id,
      user.id,
    );
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      await assert.rejects(
        auth.authenticator.authenticate(sessionCookie.value, undefined, method),
        CsrfError,
      );
      await assert.rejects(auth.authenticator.authenticate(sessionCookie.value, 'forged', method), CsrfError);
      const ok = await auth.authenticator.authenticate(sessionCookie.value, csrfCookie.value, method);
      assert.equal(ok?.session.id, signed.session.id);
    }
    assert.equal(await auth.authenticator.authenticate(undefined, undefined, 'GET'), undefined);
    assert.equal(await auth.authenticator.authenticate('fls_unknown', 'x', 'POST'), undefined);

    const caller = (await auth.authenticator.authenticate(sessionCookie.value, csrfCookie.value, 'POST'))!;
    const cleared = await logout(auth, caller);
    assert.deepEqual(
      cleared.map((c) => c.value),
      ['', ''],
    );
    assert.equal(await auth.authenticator.authenticate(sessionCookie.value, undefined, 'GET'), undefined);
  });

  it('changing the password needs the current one, ends other sessions and rotates this one', async () => {
    const auth = testAuthServices(ctx.db.knex);
    const user = await makeUser(ctx.db.knex, auth, 'a long enough passphrase');
    const here = await login(auth, {
      email: user.email,
      password: 'a long enough passphrase',
      ip: '127.0.0.1',
    });
    const elsewhere = await login(auth, {
      email: user.email,
      password: 'a long enough passphrase',
      ip: '127.0.0.2',
    });
    const caller = (await auth.authenticator.authenticate(here.cookies[0].value, undefined, 'GET'))!;
    await assert.rejects(
      changePassword(auth, caller, {
        currentPassword: 'not the password',
        newPassword: 'another good passphrase',
        ip: '127.0.0.1',
      }),
      InvalidCredentialsError,
    );
    const changed = await changePassword(auth, caller, {
      currentPassword: 'a long enough passphrase',
      newPassword: 'another good passphrase',
      ip: '127.0.0.1',
    });
    assert.equal(await auth.sessions.lookup(elsewhere.cookies[0].value), undefined);
    assert.equal(await auth.sessions.lookup(here.cookies[0].value), undefined);
    assert.equal((await auth.sessions.lookup(changed.cookies[0].value))?.user.id, user.id);
    assert.equal((await auth.passwords.verifyPassword(user.email, 'another good passphrase'))?.id, user.id);
  });
});
