import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { AccountsRepository } from '../accounts';
import { cookieNames } from '../auth';
import { describeEachDatabase } from '../testing/databases';
import { seedAccount, startApiServer, type ApiServer } from './api-test-kit';
import { startTestProvider, TestBrowser, type TestProvider } from './sso-test-provider';

describeEachDatabase('single sign-on (OpenID Connect, real provider on loopback)', (ctx) => {
  let api: ApiServer;
  let idp: TestProvider;
  let ownerToken: string;
  let orgId: number;
  const logLines: string[] = [];
  const sso = '/api/0/organizations/acme/sso/';

  before(async () => {
    const seeded = await seedAccount(ctx.db.knex, {
      organization: 'acme',
      project: 'app',
      email: 'owner@acme.io',
    });
    ownerToken = seeded.token;
    orgId = (await new AccountsRepository(ctx.db.knex).ensureOrganization('acme', 'acme')).id;
    const log = pino(
      { level: 'trace' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          logLines.push(chunk.toString());
          done();
        },
      }),
    );
    api = await startApiServer(ctx.db.knex, { log });
    idp = await startTestProvider([`${api.url}/api/0/auth/sso/acme/callback/`]);
    idp.accounts.set('alice-sub', { email: 'Alice@Example.com', email_verified: true, name: 'Alice' });
    idp.accounts.set('carol-sub', { email: 'carol@example.com', email_verified: true, name: 'Carol' });
    idp.accounts.set('unverified-sub', { email: 'dave@example.com', email_verified: false, name: 'Dave' });
    idp.accounts.set('outsider-sub', { email: 'eve@elsewhere.org', email_verified: true, name: 'Eve' });
  });

  after(async () => {
    await api?.close();
    await idp?.close();
  });

  const login = async (sub: string, next = '/organizations/acme/issues/') => {
    const browser = new TestBrowser();
    const start = `${api.url}/api/0/auth/sso/acme/login/?next=${encodeURIComponent(next)}`;
    const done = await browser.signIn(start, sub, (url) =>
      url.startsWith(`${api.url}/api/0/auth/sso/acme/callback/`),
    );
    return { browser, ...done };
  };
  const sessionOf = (browser: TestBrowser) => browser.cookie(api.url, cookieNames(api.url).session);

  it('sets up the provider (owners only), never answering or logging the client secret', async () => {
    const refused = await api.put(
      sso,
      { issuer: idp.issuer, clientId: idp.clientId, clientSecret: 'x', defaultRole: 'owner' },
      ownerToken,
    );
    assert.equal(refused.status, 400);
    const put = await api.put(
      sso,
      { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret },
      ownerToken,
    );
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const got = await api.get(sso, ownerToken);
    assert.equal(got.status, 200);
    const body = got.body as { configured: boolean; callbackUrl: string; provider: Record<string, unknown> };
    assert.equal(body.configured, true);
    assert.equal(body.callbackUrl, `${api.url}/api/0/auth/sso/acme/callback/`);
    assert.equal(body.provider.defaultRole, 'member');
    assert.equal(body.provider.enabled, true);
    for (const answer of [put, got]) assert.ok(!JSON.stringify(answer.body).includes(idp.clientSecret));
    const row = await ctx.db.knex('sso_providers').where({ organization_id: orgId }).first();
    assert.ok(!JSON.stringify(row).includes(idp.clientSecret), 'the secret is encrypted at rest');
    const audit = await ctx.db.knex('audit_log').where({ organization_id: orgId, event: 'sso.edit' });
    assert.equal(audit.length, 1);
    assert.ok(!JSON.stringify(audit).includes(idp.clientSecret));
    // An update without the secret keeps it.
    const update = await api.put(sso, { issuer: idp.issuer, clientId: idp.clientId }, ownerToken);
    assert.equal(update.status, 200);
  });

  it('signs a new person in: user, membership with the default role, working session, redirect to next', async () => {
    const { browser, response, url } = await login('alice-sub');
    assert.equal(response.status, 302, `${url} ${await response.text()}`);
    assert.equal(response.headers.get('location'), `${api.url}/organizations/acme/issues/`);
    const token = sessionOf(browser);
    assert.ok(token);
    const found = await api.auth.sessions.lookup(token);
    assert.equal(found?.user.email, 'alice@example.com');
    assert.equal(found?.session.pendingSecondFactor, false);
    const me = await api.get('/api/0/users/me/', { session: token });
    assert.equal(me.status, 200, JSON.stringify(me.body));
    const member = await ctx.db
      .knex('organization_members')
      .where({ organization_id: orgId, user_id: found.user.id })
      .first();
    assert.equal(member.role, 'member');
    const joined = await ctx.db.knex('audit_log').where({ organization_id: orgId, event: 'member.join' });
    assert.equal(joined.length, 1);
    assert.equal(browser.cookie(api.url, 'faultline_sso_state'), undefined, 'the state cookie is cleared');
  });

  it('reuses the identity on the next sign-in', async () => {
    const { browser, response } = await login('alice-sub');
    assert.equal(response.status, 302);
    const found = await api.auth.sessions.lookup(sessionOf(browser) ?? '');
    assert.equal(found?.user.email, 'alice@example.com');
    assert.equal((await ctx.db.knex('users').whereRaw('lower(email) = ?', ['alice@example.com'])).length, 1);
    const identities = await ctx.db.knex('sso_identities').where({ subject: 'alice-sub' });
    assert.equal(identities.length, 1);
    assert.equal(identities[0].user_id, found?.user.id);
    assert.equal((await ctx.db.knex('audit_log').where({ event: 'member.join' })).length, 1);
  });

  it('links an existing password user (a member) with the same verified email', async () => {
    const accounts = new AccountsRepository(ctx.db.knex);
    const carol = await accounts.ensureUser('carol@example.com', false);
    await api.auth.passwords.setPassword(carol.id, 'a long enough passphrase');
    await accounts.ensureMember(orgId, carol.id, 'admin');
    const { browser, response } = await login('carol-sub');
    assert.equal(response.status, 302);
    const found = await api.auth.sessions.lookup(sessionOf(browser) ?? '');
    assert.equal(found?.user.id, carol.id);
    const identity = await ctx.db.knex('sso_identities').where({ subject: 'carol-sub' }).first();
    assert.equal(identity.user_id, carol.id);
    const member = await ctx.db
      .knex('organization_members')
      .where({ organization_id: orgId, user_id: carol.id })
      .first();
    assert.equal(member.role, 'admin', 'an existing membership keeps its role');
  });

  it('gives a pending session to a user with 2FA', async () => {
    const carol = await new AccountsRepository(ctx.db.knex).ensureUser('carol@example.com', false);
    await ctx.db
      .knex('user_totp')
      .insert({ user_id: carol.id, secret_encrypted: 'x', confirmed_at: new Date() });
    try {
      const { browser, response } = await login('carol-sub');
      assert.equal(response.status, 302);
      assert.match(response.headers.get('location') ?? '', /\/auth\/two-factor\?next=/);
      const found = await api.auth.sessions.lookup(sessionOf(browser) ?? '');
      assert.equal(found?.session.pendingSecondFactor, true);
    } finally {
      await ctx.db.knex('user_totp').where({ user_id: carol.id }).delete();
    }
  });

  it('refuses a tampered state with 400', async () => {
    const browser = new TestBrowser();
    const start = `${api.url}/api/0/auth/sso/acme/login/`;
    const { url } = await browser.signIn(start, 'alice-sub', (u) =>
      u.startsWith(`${api.url}/api/0/auth/sso/acme/callback/`),
    );
    const tampered = new URL(url);
    tampered.searchParams.set('state', `${tampered.searchParams.get('state')}x`);
    const answer = await browser.fetch(tampered.toString());
    assert.equal(answer.status, 400);
    assert.equal(
      ((await answer.json()) as { code?: string }).code ?? 'sso_state_mismatch',
      'sso_state_mismatch',
    );
  });

  it('refuses an unverified email with 403', async () => {
    const { response } = await login('unverified-sub');
    assert.equal(response.status, 403);
    assert.equal(await ctx.db.knex('users').where({ email: 'dave@example.com' }).first(), undefined);
  });

  it('refuses an email outside the allowed domains with 403, and a disabled provider with 403', async () => {
    const base = { issuer: idp.issuer, clientId: idp.clientId };
    assert.equal((await api.put(sso, { ...base, allowedDomains: ['example.com'] }, ownerToken)).status, 200);
    assert.equal((await login('outsider-sub')).response.status, 403);
    assert.equal((await login('alice-sub')).response.status, 302);
    assert.equal((await api.put(sso, { ...base, enabled: false }, ownerToken)).status, 200);
    assert.equal((await new TestBrowser().fetch(`${api.url}/api/0/auth/sso/acme/login/`)).status, 403);
  });

  it('refuses a next parameter leaving the site, and answers 404 for an organization without SSO', async () => {
    assert.equal(
      (await api.put(sso, { issuer: idp.issuer, clientId: idp.clientId }, ownerToken)).status,
      200,
    );
    const away = await new TestBrowser().fetch(`${api.url}/api/0/auth/sso/acme/login/?next=//evil.example/`);
    assert.equal(away.status, 400);
    assert.equal((await new TestBrowser().fetch(`${api.url}/api/0/auth/sso/nope/login/`)).status, 404);
  });

  it('never logged the client secret', () => {
    assert.ok(logLines.length > 0);
    assert.ok(!logLines.join('\n').includes(idp.clientSecret));
  });
});
