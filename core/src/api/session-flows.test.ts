/**
 * People signing in through the HTTP API: sessions and CSRF, login throttling, TOTP enrolment and
 * sign-in with a second factor, recovery codes, organizations requiring 2FA, password reset by
 * mail through a real SMTP server, session roles, API token guessing, and secrets kept out of
 * answers and logs. Real HTTP, real database, nothing mocked.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { Knex } from 'knex';
import { generate } from 'otplib';
import pino from 'pino';
import { AccountsRepository } from '../accounts';
import { describeEachDatabase } from '../testing/databases';
import {
  errorEvent,
  seedAccount,
  sessionFrom,
  startApiServer,
  storeEvents,
  type ApiServer,
  type SessionCredential,
} from './api-test-kit';
import { startSmtpServer, type TestSmtpServer } from '../testing/smtp';

type Json = Record<string, unknown>;
const PASSWORD = 'correct horse battery';

async function waitFor<T>(probe: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const found = probe();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A TOTP code one step ahead: still accepted, and newer than any code used in this step. */
const nextCode = (secret: string) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });

describeEachDatabase('people signing in through the REST API', (ctx) => {
  let api: ApiServer;
  let knex: Knex;
  let smtp: TestSmtpServer;
  const logLines: string[] = [];
  let issueId: string;
  let counter = 0;

  /** A member of acme (on its team) with a password. */
  async function person(role = 'member'): Promise<{ email: string; id: number }> {
    const email = `person${++counter}@acme.io`;
    const accounts = new AccountsRepository(knex);
    const user = await accounts.ensureUser(email, false);
    const org = await accounts.ensureOrganization('acme', 'acme');
    await accounts.ensureMember(org.id, user.id, role);
    await accounts.ensureTeamMember((await accounts.ensureTeam(org.id, 'acme-team')).id, user.id);
    await api.auth.passwords.setPassword(user.id, PASSWORD);
    return { email, id: user.id };
  }

  async function signIn(email: string, password = PASSWORD): Promise<SessionCredential> {
    const answer = await api.request('post', '/api/0/auth/login/', { email, password });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return sessionFrom(answer);
  }

  /** Enrols TOTP for the signed-in person; returns the secret, recovery codes and renewed session. */
  async function enrol(
    credential: SessionCredential,
  ): Promise<{ secret: string; recoveryCodes: string[]; credential: SessionCredential }> {
    const begun = await api.request('post', '/api/0/users/me/2fa/totp/', undefined, credential);
    assert.equal(begun.status, 201, JSON.stringify(begun.body));
    const { secret, otpauthUri } = begun.body as { secret: string; otpauthUri: string };
    assert.match(otpauthUri, /^otpauth:\/\/totp\//);
    const confirmed = await api.request(
      'post',
      '/api/0/users/me/2fa/totp/confirm/',
      { code: await generate({ secret }) },
      credential,
    );
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    const { recoveryCodes } = confirmed.body as { recoveryCodes: string[] };
    return { secret, recoveryCodes, credential: sessionFrom(confirmed) };
  }

  before(async () => {
    knex = ctx.db.knex;
    smtp = await startSmtpServer();
    const seeded = await seedAccount(knex, { organization: 'acme', project: 'app', email: 'owner@acme.io' });
    await storeEvents(knex, seeded.projectId, [errorEvent({ type: 'TypeError', value: 'checkout broke' })]);
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString('utf8'));
        done();
      },
    });
    api = await startApiServer(knex, { smtpUrl: smtp.url, log: pino({ level: 'trace' }, sink) });
    issueId = ((await api.get('/api/0/projects/acme/app/issues/?query=', seeded.token)).body as Json[])[0]
      .id as string;
  });
  after(async () => {
    await api?.close();
    await smtp?.close();
  });

  it('login → cookie → read → write needs CSRF → logout → 401', async () => {
    const { email } = await person();
    const login = await api.request('post', '/api/0/auth/login/', { email, password: PASSWORD });
    assert.equal(login.status, 200);
    const body = login.body as { user: Json; secondFactorRequired: boolean; csrfToken: string };
    assert.equal(body.user.email, email);
    assert.equal(body.secondFactorRequired, false);
    const setCookie = login.headers.getSetCookie().join('\n');
    assert.match(setCookie, /faultline_session=fls_[^;]+;.*httponly/i);
    assert.match(setCookie, /samesite=lax/i);
    const session = sessionFrom(login);
    assert.equal(session.csrf, body.csrfToken);

    assert.equal((await api.get('/api/0/users/me/', session)).status, 200);
    const issues = await api.get('/api/0/projects/acme/app/issues/?query=', session);
    assert.equal(issues.status, 200);
    assert.equal((issues.body as Json[]).length, 1);

    const path = `/api/0/issues/${issueId}/`;
    const noCsrf = await api.put(path, { status: 'resolved' }, { session: session.session });
    assert.equal(noCsrf.status, 403);
    assert.equal((noCsrf.body as Json).code, 'csrf_failed');
    assert.match((noCsrf.body as Json).detail as string, /X-CSRF-Token/);
    const wrongCsrf = await api.put(path, { status: 'resolved' }, { ...session, csrf: 'x'.repeat(43) });
    assert.equal(wrongCsrf.status, 403);
    const withCsrf = await api.put(path, { status: 'resolved' }, session);
    assert.equal(withCsrf.status, 200, JSON.stringify(withCsrf.body));

    const out = await api.request('post', '/api/0/auth/logout/', undefined, session);
    assert.equal(out.status, 204);
    assert.match(out.headers.getSetCookie().join('\n'), /faultline_session=;/);
    const after = await api.get('/api/0/projects/acme/app/issues/?query=', session);
    assert.equal(after.status, 401);
    assert.equal((await api.get('/api/0/users/me/')).status, 401, 'no credentials at all');
  });

  it('wrong passwords are throttled with 429 and Retry-After', async () => {
    const { email } = await person();
    for (let i = 0; i < 5; i++) {
      const wrong = await api.request('post', '/api/0/auth/login/', { email, password: 'not the password' });
      assert.equal(wrong.status, 401);
      assert.equal((wrong.body as Json).code, 'invalid_credentials');
    }
    const limited = await api.request('post', '/api/0/auth/login/', { email, password: PASSWORD });
    assert.equal(limited.status, 429);
    assert.equal((limited.body as Json).code, 'rate_limited');
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
    // Unknown emails answer like known ones.
    const unknown = await api.request('post', '/api/0/auth/login/', { email: 'nobody@x.io', password: 'x' });
    assert.equal(unknown.status, 401);
  });

  it('2FA: enrol → sign out → pending session → verify with a TOTP code → access; recovery codes', async () => {
    const { email } = await person();
    const enrolled = await enrol(await signIn(email));
    assert.equal(enrolled.recoveryCodes.length, 10);
    const me = (await api.get('/api/0/users/me/', enrolled.credential)).body as Json;
    assert.equal(me.has2fa, true);
    await api.request('post', '/api/0/auth/logout/', undefined, enrolled.credential);

    const login = await api.request('post', '/api/0/auth/login/', { email, password: PASSWORD });
    assert.equal((login.body as Json).secondFactorRequired, true);
    const pending = sessionFrom(login);
    const blocked = await api.get('/api/0/projects/acme/app/issues/?query=', pending);
    assert.equal(blocked.status, 401);
    assert.equal((blocked.body as Json).code, 'two_factor_required');
    const wrong = await api.request('post', '/api/0/auth/2fa/verify/', { code: '000000' }, pending);
    assert.equal(wrong.status, 401);
    const verified = await api.request(
      'post',
      '/api/0/auth/2fa/verify/',
      { code: await nextCode(enrolled.secret) },
      pending,
    );
    assert.equal(verified.status, 200, JSON.stringify(verified.body));
    assert.equal((verified.body as Json).method, 'totp');
    const full = sessionFrom(verified);
    assert.notEqual(full.session, pending.session, 'the session token rotates');
    assert.equal((await api.get('/api/0/projects/acme/app/issues/?query=', full)).status, 200);
    assert.equal((await api.get('/api/0/users/me/', pending)).status, 401, 'the pending token is dead');

    // A recovery code signs in once.
    const second = sessionFrom(
      await api.request('post', '/api/0/auth/login/', { email, password: PASSWORD }),
    );
    const recovered = await api.request(
      'post',
      '/api/0/auth/2fa/verify/',
      { code: enrolled.recoveryCodes[0] },
      second,
    );
    assert.equal(recovered.status, 200);
    assert.equal((recovered.body as Json).method, 'recovery_code');
    assert.equal((recovered.body as Json).recoveryCodesLeft, 9);
    const third = sessionFrom(await api.request('post', '/api/0/auth/login/', { email, password: PASSWORD }));
    const reused = await api.request(
      'post',
      '/api/0/auth/2fa/verify/',
      { code: enrolled.recoveryCodes[0] },
      third,
    );
    assert.equal(reused.status, 401);

    // New recovery codes and turning 2FA off both need the password.
    const signed = sessionFrom(recovered);
    const badRegen = await api.request(
      'post',
      '/api/0/users/me/2fa/recovery-codes/',
      { password: 'wrong password' },
      signed,
    );
    assert.equal(badRegen.status, 401);
    const regen = await api.request(
      'post',
      '/api/0/users/me/2fa/recovery-codes/',
      { password: PASSWORD },
      signed,
    );
    assert.equal((regen.body as { recoveryCodes: string[] }).recoveryCodes.length, 10);
    const off = await api.request('delete', '/api/0/users/me/2fa/', { password: PASSWORD }, signed);
    assert.equal(off.status, 204);
    assert.equal(((await api.get('/api/0/users/me/', signed)).body as Json).has2fa, false);
  });

  it('an organization requiring 2FA refuses members without it (sessions and tokens), until they enrol', async () => {
    const owner = await signIn((await person('owner')).email);
    const ownerEnrolled = await enrol(owner);
    const require = await api.put(
      '/api/0/organizations/acme/',
      { require2FA: true },
      ownerEnrolled.credential,
    );
    assert.equal(require.status, 200, JSON.stringify(require.body));
    try {
      const { email, id } = await person();
      const session = await signIn(email);
      const token = await new AccountsRepository(knex).createToken(id, 'cli', ['org:read', 'event:read']);
      for (const credential of [session, token]) {
        const refused = await api.get('/api/0/organizations/acme/issues/?query=', credential);
        assert.equal(refused.status, 403);
        assert.equal((refused.body as Json).code, '2fa_required');
        assert.match((refused.body as Json).detail as string, /requires two-factor authentication/);
      }
      // A foreign organization still answers 404, as before: nothing leaks through the 2FA rule.
      assert.equal((await api.get('/api/0/organizations/globex/', session)).status, 404);
      const enrolled = await enrol(session);
      assert.equal(
        (await api.get('/api/0/organizations/acme/issues/?query=', enrolled.credential)).status,
        200,
      );
      assert.equal((await api.get('/api/0/organizations/acme/issues/?query=', token)).status, 200);
    } finally {
      await knex('organizations').where({ slug: 'acme' }).update({ require_2fa: false });
    }
  });

  it('turning on "require 2FA" needs 2FA on your own account (sessions and tokens alike)', async () => {
    const owner = await person('owner');
    const session = await signIn(owner.email);
    const token = await new AccountsRepository(knex).createToken(owner.id, 'cli', ['org:write']);
    for (const credential of [session, token]) {
      const refused = await api.put('/api/0/organizations/acme/', { require2FA: true }, credential);
      assert.equal(refused.status, 400, JSON.stringify(refused.body));
      assert.equal((refused.body as Json).code, 'own_two_factor_required');
      assert.match((refused.body as Json).detail as string, /two-factor authentication for your own account/);
    }
    const organization = await knex('organizations').where({ slug: 'acme' }).first('require_2fa');
    assert.equal(organization.require_2fa, false);
    // Other changes, and turning it off, need nothing more.
    assert.equal((await api.put('/api/0/organizations/acme/', { require2FA: false }, session)).status, 200);
    assert.equal((await api.put('/api/0/organizations/acme/', { name: 'acme' }, session)).status, 200);
  });

  it('sign-in routes take JSON only: the same body as a form or text/plain (what a page elsewhere can post) gets 415 and signs nobody in', async () => {
    const { email } = await person();
    const json = JSON.stringify({ email, password: PASSWORD });
    const post = (path: string, contentType: string | undefined, body: string | FormData) =>
      fetch(`${api.url}${path}`, {
        method: 'POST',
        headers: contentType === undefined ? {} : { 'Content-Type': contentType },
        body,
      });
    const form = new FormData();
    form.set(json, '');
    const attempts: [string, Response][] = [
      ['text/plain', await post('/api/0/auth/login/', 'text/plain', json)],
      ['text/plain;charset=UTF-8', await post('/api/0/auth/login/', 'text/plain;charset=UTF-8', json)],
      ['a urlencoded form', await post('/api/0/auth/login/', 'application/x-www-form-urlencoded', json)],
      ['a multipart form', await post('/api/0/auth/login/', undefined, form)],
      ['no content type', await post('/api/0/auth/login/', '', json)],
      ['reset request', await post('/api/0/auth/password-reset/', 'text/plain', JSON.stringify({ email }))],
      [
        'reset completion',
        await post(
          '/api/0/auth/password-reset/complete/',
          'text/plain',
          JSON.stringify({ token: 'flr_x', newPassword: 'whatever it is now' }),
        ),
      ],
    ];
    for (const [what, answer] of attempts) {
      assert.equal(answer.status, 415, what);
      const body = (await answer.json()) as Json;
      assert.equal(body.code, 'unsupported_media_type', what);
      assert.match(body.detail as string, /Content-Type: application\/json/, what);
      assert.equal(answer.headers.getSetCookie().length, 0, `${what} sets no cookie`);
    }
    const accepted = await post('/api/0/auth/login/', 'application/json; charset=utf-8', json);
    assert.equal(accepted.status, 200);
  });

  it('a member session has its role: it may read but not change roles', async () => {
    const { email } = await person();
    const session = await signIn(email);
    const victim = await person();
    const member = await knex('organization_members').where({ user_id: victim.id }).first('id');
    const path = `/api/0/organizations/acme/members/${member.id}/`;
    assert.equal((await api.get(path, session)).status, 200);
    const denied = await api.put(path, { orgRole: 'admin' }, session);
    assert.equal(denied.status, 403);
    assert.equal((denied.body as Json).code, 'missing_scope');
    assert.match((denied.body as Json).detail as string, /your role \(member\)/);
    // Session-only routes refuse API tokens.
    const token = await new AccountsRepository(knex).createToken(victim.id, 'cli', ['org:read']);
    const byToken = await api.request('post', '/api/0/users/me/2fa/totp/', undefined, token);
    assert.equal(byToken.status, 403);
    assert.equal((byToken.body as Json).code, 'session_required');
  });

  it('password reset through HTTP and a real SMTP server; no user enumeration', async () => {
    const { email } = await person();
    const old = await signIn(email);
    const unknown = await api.request('post', '/api/0/auth/password-reset/', { email: 'ghost@acme.io' });
    assert.equal(unknown.status, 204);
    const known = await api.request('post', '/api/0/auth/password-reset/', { email });
    assert.equal(known.status, 204);
    const mail = await waitFor(() => smtp.inbox.find((m) => m.raw.includes(email))?.raw, 'the reset mail');
    const text = mail.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
    const token = decodeURIComponent(/reset-password\?token=([A-Za-z0-9_%-]+)/.exec(text)![1]);
    assert.equal(smtp.inbox.filter((m) => m.raw.includes('ghost@acme.io')).length, 0);

    const bad = await api.request('post', '/api/0/auth/password-reset/complete/', {
      token: 'flr_nope',
      newPassword: 'a brand new secret',
    });
    assert.equal(bad.status, 400);
    const done = await api.request('post', '/api/0/auth/password-reset/complete/', {
      token,
      newPassword: 'a brand new secret',
    });
    assert.equal(done.status, 204);
    assert.equal((await api.get('/api/0/users/me/', old)).status, 401, 'every session ended');
    await signIn(email, 'a brand new secret');
    const again = await api.request('post', '/api/0/auth/password-reset/complete/', {
      token,
      newPassword: 'another new secret',
    });
    assert.equal(again.status, 400, 'a reset token works once');
  });

  it('changing the password needs the current one and ends other sessions', async () => {
    const { email } = await person();
    const first = await signIn(email);
    const other = await signIn(email);
    const wrong = await api.put(
      '/api/0/auth/password/',
      { currentPassword: 'not it at all', newPassword: 'fresh password 1' },
      first,
    );
    assert.equal(wrong.status, 401);
    const changed = await api.put(
      '/api/0/auth/password/',
      { currentPassword: PASSWORD, newPassword: 'fresh password 1' },
      first,
    );
    assert.equal(changed.status, 200);
    assert.equal((await api.get('/api/0/users/me/', sessionFrom(changed))).status, 200);
    assert.equal((await api.get('/api/0/users/me/', other)).status, 401);
  });

  it('guessing API tokens is rate limited per address with 429', async () => {
    // Earlier tests may have sent none; this address gets 30 unknown tokens a minute.
    let status = 0;
    let answer;
    for (let i = 0; i < 31 && status !== 429; i++) {
      answer = await api.get('/api/0/organizations/', `guess-${i}`);
      status = answer.status;
      if (i < 30) assert.equal(status, 401);
    }
    assert.equal(status, 429);
    assert.ok(Number(answer!.headers.get('retry-after')) > 0);
    assert.match((answer!.body as Json).detail as string, /invalid API token/);
    await knex('rate_limit_hits').where({ bucket: 'api-token:ip' }).delete();
  });

  it('secrets appear only in the answer that creates them, and never in logs', async () => {
    const { email } = await person('owner');
    logLines.length = 0;
    const session = await signIn(email);
    const created = await api.request('post', '/api/0/api-tokens/', { scopes: ['org:read'] }, session);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const secret = (created.body as { token: string }).token;
    const listed = await api.get('/api/0/api-tokens/', session);
    assert.ok(!JSON.stringify(listed.body).includes(secret), 'lists never show a token');
    const key = await api.request('post', '/api/0/projects/acme/app/keys/', { name: 'ci' }, session);
    assert.equal(key.status, 201);
    // Failed attempts and a 2FA enrolment log too, at debug level.
    await api.request('post', '/api/0/auth/login/', { email, password: 'wrong password here' });
    const enrolled = await enrol(await signIn(email));
    const logs = logLines.join('');
    assert.ok(logs.length > 0, 'the server logged something at trace level');
    for (const forbidden of [
      PASSWORD,
      'wrong password here',
      secret,
      session.session,
      session.csrf!,
      enrolled.secret,
      enrolled.credential.session,
      ...enrolled.recoveryCodes,
    ]) {
      assert.ok(!logs.includes(forbidden), `a secret reached the logs: ${forbidden.slice(0, 6)}…`);
    }
  });
});
