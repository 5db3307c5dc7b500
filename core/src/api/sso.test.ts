import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { generate } from 'otplib';
import pino from 'pino';
import { AccountsRepository } from '../accounts';
import { cookieNames } from '../auth';
import { describeEachDatabase } from '../testing/databases';
import { seedAccount, startApiServer, type ApiServer } from './api-test-kit';
import { startTestProvider, TestBrowser, type TestProvider } from './sso-test-provider';

const PASSWORD = 'correct horse battery';
/** A TOTP code one step ahead: still accepted, and newer than the one used to enrol. */
const nextCode = (secret: string) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });

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
  const csrfOf = (browser: TestBrowser) => browser.cookie(api.url, cookieNames(api.url).csrf);
  const identityOf = (subject: string): Promise<{ user_id: number } | undefined> =>
    ctx.db.knex('sso_identities').where({ subject }).first('user_id');
  /** Confirms the link waiting in this browser with a password (and code), as the web UI's page does. */
  const confirm = (browser: TestBrowser, body: { password: string; code?: string }) =>
    browser.fetch(`${api.url}/api/0/auth/sso/link/`, { method: 'POST', json: body });
  const signInWith = async (browser: TestBrowser, email: string, password: string) => {
    const answer = await browser.fetch(`${api.url}/api/0/auth/login/`, {
      method: 'POST',
      json: { email, password },
    });
    assert.equal(answer.status, 200, await answer.clone().text());
  };

  it('sets up the provider (owners only), never answering or logging the client secret', async () => {
    const refused = await api.put(
      sso,
      { issuer: idp.issuer, clientId: idp.clientId, clientSecret: 'x', defaultRole: 'owner' },
      ownerToken,
    );
    assert.equal(refused.status, 400);
    const notUrl = await api.put(
      sso,
      { issuer: 'not a url', clientId: idp.clientId, clientSecret: 'x' },
      ownerToken,
    );
    assert.equal(notUrl.status, 400, 'an issuer that is no URL is bad input, not a crash');
    assert.match((notUrl.body as { detail: string }).detail, /issuer/);
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

  it("answers, without a credential, whether an organization's sign-in page offers SSO, and nothing else", async () => {
    const options = (slug: string) => api.get(`/api/0/auth/sign-in/${slug}/`);
    const acme = await options('acme');
    assert.equal(acme.status, 200);
    assert.deepEqual(acme.body, {
      sso: { providerName: new URL(idp.issuer).host, loginUrl: '/api/0/auth/sso/acme/login/' },
    });
    await seedAccount(ctx.db.knex, { organization: 'plain', project: 'web', email: 'x@plain.io' });
    const plain = await options('plain');
    const unknown = await options('no-such-org');
    assert.deepEqual(plain.body, { sso: null });
    assert.deepEqual(
      [unknown.status, unknown.body],
      [plain.status, plain.body],
      'an unknown organization answers as one without SSO',
    );
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

  it('never signs an existing account in on a first SSO sign-in: the person confirms with the password, then SSO works', async () => {
    const accounts = new AccountsRepository(ctx.db.knex);
    const carol = await accounts.ensureUser('carol@example.com', false);
    await api.auth.passwords.setPassword(carol.id, PASSWORD);
    await accounts.ensureMember(orgId, carol.id, 'admin');
    const { browser, response } = await login('carol-sub');
    assert.equal(response.status, 302);
    assert.equal(
      response.headers.get('location'),
      `${api.url}/auth/sso-link?next=${encodeURIComponent('/organizations/acme/issues/')}`,
    );
    assert.equal(sessionOf(browser), undefined, 'no session before the person proves the account is theirs');
    assert.equal(await identityOf('carol-sub'), undefined);
    assert.ok(browser.cookie(api.url, 'faultline_sso_link'), 'the pending link stays in this browser');
    const pending = await browser.fetch(`${api.url}/api/0/auth/sso/link/`);
    assert.equal(pending.status, 200);
    const described = (await pending.json()) as { organization: { slug: string }; email: string };
    assert.equal(described.organization.slug, 'acme');
    assert.equal(described.email, 'carol@example.com');

    const wrong = await confirm(browser, { password: 'not her password at all' });
    assert.equal(wrong.status, 401);
    assert.equal(await identityOf('carol-sub'), undefined);
    const right = await confirm(browser, { password: PASSWORD });
    assert.equal(right.status, 200, await right.clone().text());
    const answer = (await right.json()) as { location: string; user: { email: string }; joined: boolean };
    assert.equal(answer.location, `${api.url}/organizations/acme/issues/`);
    assert.equal(answer.user.email, 'carol@example.com');
    assert.equal(answer.joined, false);
    const found = await api.auth.sessions.lookup(sessionOf(browser) ?? '');
    assert.equal(found?.user.id, carol.id);
    assert.equal(found?.session.pendingSecondFactor, false);
    assert.equal(browser.cookie(api.url, 'faultline_sso_link'), undefined, 'the pending link is used up');
    assert.equal((await identityOf('carol-sub'))?.user_id, carol.id);
    const audited = await ctx.db.knex('audit_log').where({ organization_id: orgId, event: 'sso.link' });
    assert.deepEqual(
      audited.map((row: { actor_user_id: number }) => row.actor_user_id),
      [carol.id],
      'the link is in the audit log',
    );
    const member = await ctx.db
      .knex('organization_members')
      .where({ organization_id: orgId, user_id: carol.id })
      .first();
    assert.equal(member.role, 'admin', 'an existing membership keeps its role');

    // From now on the linked identity signs her in directly.
    const again = await login('carol-sub');
    assert.equal(again.response.status, 302);
    assert.equal(again.response.headers.get('location'), `${api.url}/organizations/acme/issues/`);
    assert.equal((await api.auth.sessions.lookup(sessionOf(again.browser) ?? ''))?.user.id, carol.id);
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

  it("an owner's provider claiming the email of someone who is also in another organization gets no session, no members, no token", async () => {
    const accounts = new AccountsRepository(ctx.db.knex);
    const victim = await accounts.ensureUser('victor@example.com', false);
    await api.auth.passwords.setPassword(victim.id, PASSWORD);
    await accounts.ensureMember(orgId, victim.id, 'member');
    const other = await accounts.ensureOrganization('vault', 'vault');
    await accounts.ensureMember(other.id, victim.id, 'owner');
    // acme's owner controls acme's provider: it vouches for Victor's email under a subject of theirs.
    idp.accounts.set('mallory-sub', { email: 'victor@example.com', email_verified: true, name: 'Victor' });
    const sessionsBefore = await ctx.db.knex('sessions').where({ user_id: victim.id }).count({ n: '*' });

    const { browser, response } = await login('mallory-sub');
    assert.equal(response.status, 302);
    assert.match(response.headers.get('location') ?? '', /\/auth\/sso-link\?next=/);
    assert.equal(sessionOf(browser), undefined);
    assert.deepEqual(
      await ctx.db.knex('sessions').where({ user_id: victim.id }).count({ n: '*' }),
      sessionsBefore,
    );
    const members = await browser.fetch(`${api.url}/api/0/organizations/vault/members/`);
    assert.equal(members.status, 401);
    const minted = await browser.fetch(`${api.url}/api/0/api-tokens/`, {
      method: 'POST',
      json: { scopes: ['org:read', 'member:read'] },
    });
    assert.equal(minted.status, 401);
    assert.equal((await ctx.db.knex('api_tokens').where({ user_id: victim.id })).length, 0);

    // Guessing the password, or sending it as a form from another site, links nothing.
    assert.equal((await confirm(browser, { password: 'a lucky guess maybe' })).status, 401);
    const plain = await browser.fetch(`${api.url}/api/0/auth/sso/link/`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      json: { password: PASSWORD },
    });
    assert.equal(plain.status, 415);
    // Signed in as themselves, the attacker can't claim Victor's identity either.
    const owner = await accounts.ensureUser('owner@acme.io', false);
    await api.auth.passwords.setPassword(owner.id, 'the owner has a passphrase');
    await signInWith(browser, 'owner@acme.io', 'the owner has a passphrase');
    const asOwner = await browser.fetch(`${api.url}/api/0/auth/sso/link/signed-in/`, {
      method: 'POST',
      headers: { 'X-CSRF-Token': csrfOf(browser) ?? '' },
    });
    assert.equal(asOwner.status, 403);
    assert.equal(((await asOwner.json()) as { code: string }).code, 'sso_link_other_account');
    assert.equal(await identityOf('mallory-sub'), undefined);

    // Victor, signed in, sent through acme's SSO by a page elsewhere: still nothing is linked.
    const victorBrowser = new TestBrowser();
    await signInWith(victorBrowser, 'victor@example.com', PASSWORD);
    const driveBy = await victorBrowser.signIn(
      `${api.url}/api/0/auth/sso/acme/login/`,
      'mallory-sub',
      (url) => url.startsWith(`${api.url}/api/0/auth/sso/acme/callback/`),
    );
    assert.match(driveBy.response.headers.get('location') ?? '', /\/auth\/sso-link/);
    assert.equal(await identityOf('mallory-sub'), undefined);
    const later = await login('mallory-sub');
    assert.equal(sessionOf(later.browser), undefined);
    assert.equal((await later.browser.fetch(`${api.url}/api/0/organizations/vault/members/`)).status, 401);
  });

  it('asks a person with 2FA for a code as well before linking, and then signs them in completely', async () => {
    const accounts = new AccountsRepository(ctx.db.knex);
    const tina = await accounts.ensureUser('tina@example.com', false);
    await api.auth.passwords.setPassword(tina.id, PASSWORD);
    const { secret } = await api.auth.twoFactor.beginEnrolment(tina);
    await api.auth.twoFactor.confirmEnrolment(tina.id, await generate({ secret }));
    idp.accounts.set('tina-sub', { email: 'tina@example.com', email_verified: true, name: 'Tina' });

    const { browser } = await login('tina-sub');
    assert.equal(sessionOf(browser), undefined);
    const withoutCode = await confirm(browser, { password: PASSWORD });
    assert.equal(withoutCode.status, 401);
    assert.equal(((await withoutCode.json()) as { code: string }).code, 'two_factor_required');
    assert.equal(await identityOf('tina-sub'), undefined);
    assert.equal((await confirm(browser, { password: PASSWORD, code: '000000' })).status, 401);
    assert.equal(await identityOf('tina-sub'), undefined);
    const linked = await confirm(browser, { password: PASSWORD, code: await nextCode(secret) });
    assert.equal(linked.status, 200, await linked.clone().text());
    assert.equal(((await linked.json()) as { joined: boolean }).joined, true, 'she joins acme just now');
    const found = await api.auth.sessions.lookup(sessionOf(browser) ?? '');
    assert.equal(found?.user.id, tina.id);
    assert.equal(found?.session.pendingSecondFactor, false, 'the code was given: the session is complete');
    assert.equal((await identityOf('tina-sub'))?.user_id, tina.id);
    const member = await ctx.db
      .knex('organization_members')
      .where({ organization_id: orgId, user_id: tina.id })
      .first();
    assert.equal(member.role, 'member');
    // The linked identity signs her in from now on, still asking for the second factor.
    const again = await login('tina-sub');
    assert.match(again.response.headers.get('location') ?? '', /\/auth\/two-factor\?next=/);
    assert.equal(
      (await api.auth.sessions.lookup(sessionOf(again.browser) ?? ''))?.session.pendingSecondFactor,
      true,
    );
  });

  it('links for a person already signed in to that account, with their CSRF token', async () => {
    const accounts = new AccountsRepository(ctx.db.knex);
    const sam = await accounts.ensureUser('sam@example.com', false);
    await api.auth.passwords.setPassword(sam.id, PASSWORD);
    idp.accounts.set('sam-sub', { email: 'sam@example.com', email_verified: true, name: 'Sam' });
    const browser = new TestBrowser();
    await signInWith(browser, 'sam@example.com', PASSWORD);
    const signedInAs = sessionOf(browser);
    const callback = await browser.signIn(`${api.url}/api/0/auth/sso/acme/login/`, 'sam-sub', (url) =>
      url.startsWith(`${api.url}/api/0/auth/sso/acme/callback/`),
    );
    assert.match(callback.response.headers.get('location') ?? '', /\/auth\/sso-link/);
    assert.equal(await identityOf('sam-sub'), undefined, 'a session alone links nothing without confirming');
    const link = `${api.url}/api/0/auth/sso/link/signed-in/`;
    const noCsrf = await browser.fetch(link, { method: 'POST' });
    assert.equal(noCsrf.status, 403);
    assert.equal(((await noCsrf.json()) as { code: string }).code, 'csrf_failed');
    const linked = await browser.fetch(link, {
      method: 'POST',
      headers: { 'X-CSRF-Token': csrfOf(browser) ?? '' },
    });
    assert.equal(linked.status, 200, await linked.clone().text());
    assert.equal(((await linked.json()) as { location: string }).location, api.url);
    assert.equal(sessionOf(browser), signedInAs, 'the session stays as it was');
    assert.equal((await identityOf('sam-sub'))?.user_id, sam.id);
    assert.equal(
      (await browser.fetch(`${api.url}/api/0/auth/sso/link/`)).status,
      400,
      'the pending link is used up',
    );
    const again = await login('sam-sub');
    assert.equal((await api.auth.sessions.lookup(sessionOf(again.browser) ?? ''))?.user.id, sam.id);
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
