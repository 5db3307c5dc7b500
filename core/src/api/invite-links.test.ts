import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { AccountsRepository } from '../accounts';
import { describeEachDatabase } from '../testing/databases';
import { seedAccount, sessionFrom, startApiServer, type ApiServer } from './api-test-kit';

type Json = Record<string, unknown>;
const PASSWORD = 'correct horse battery';

/**
 * The invitation link's side: what it offers before anyone accepts, accepting with a new account,
 * and expired and revoked links refused in words.
 */
describeEachDatabase('invitation links', (ctx) => {
  let api: ApiServer;
  let knex: Knex;
  let owner: string;

  before(async () => {
    knex = ctx.db.knex;
    owner = (await seedAccount(knex, { organization: 'acme', project: 'app', email: 'owner@acme.io' })).token;
    api = await startApiServer(knex);
  });
  after(async () => api?.close());

  async function invite(email: string, role = 'member'): Promise<{ id: string; path: string }> {
    const made = await api.request(
      'post',
      '/api/0/organizations/acme/members/',
      { email, orgRole: role },
      owner,
    );
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const { id, acceptPath, inviteLink } = made.body as {
      id: string;
      acceptPath: string;
      inviteLink: string;
    };
    assert.match(inviteLink, /\/accept\/\d+\/[0-9a-f]+\/$/);
    return { id, path: acceptPath };
  }

  it('shows what a link offers to anyone holding it; a new account accepts it and is signed in', async () => {
    const { path } = await invite('new@acme.io', 'admin');
    const offer = await api.get(path);
    assert.equal(offer.status, 200, JSON.stringify(offer.body));
    assert.deepEqual(
      { ...(offer.body as Json), dateExpires: undefined },
      {
        organization: { slug: 'acme', name: 'acme' },
        email: 'new@acme.io',
        role: 'admin',
        dateExpires: undefined,
      },
    );

    const weak = await api.request('post', `${path}account/`, { password: 'short' });
    assert.equal(weak.status, 400);
    assert.equal((weak.body as Json).code, 'password_too_short');
    const created = await api.request('post', `${path}account/`, { password: PASSWORD });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const body = created.body as { user: Json; member: Json };
    assert.equal(body.user.email, 'new@acme.io');
    assert.equal(body.member.orgRole, 'admin');
    const session = sessionFrom(created);
    assert.equal((await api.get('/api/0/organizations/acme/', session)).status, 200);
    // The link is used up, and the person signs in with the password they chose.
    assert.equal((await api.get(path)).status, 404);
    const signedIn = await api.request('post', '/api/0/auth/login/', {
      email: 'new@acme.io',
      password: PASSWORD,
    });
    assert.equal(signedIn.status, 200);
    const audit = (await api.get('/api/0/organizations/acme/audit-logs/?event=member.accept', owner))
      .body as {
      rows: Json[];
    };
    assert.equal((audit.rows[0].actor as Json).email, 'new@acme.io');
  });

  it('sends someone who has an account to sign in, and refuses expired and revoked links in words', async () => {
    await new AccountsRepository(knex).ensureUser('known@acme.io', false);
    const known = await invite('known@acme.io');
    const taken = await api.request('post', `${known.path}account/`, { password: PASSWORD });
    assert.equal(taken.status, 409);
    assert.match(String((taken.body as Json).detail), /already has a Faultline account: sign in/);

    const late = await invite('late@acme.io');
    await knex('organization_invites')
      .where('id', late.id)
      .update({ expires_at: new Date(Date.now() - 1000) });
    const expired = await api.get(late.path);
    assert.equal(expired.status, 410);
    assert.equal((expired.body as Json).code, 'invite_expired');
    assert.match(String((expired.body as Json).detail), /expired: ask the organization for a new one/);
    assert.equal((await api.request('post', `${late.path}account/`, { password: PASSWORD })).status, 410);

    const revoked = await invite('revoked@acme.io');
    const revoke = await api.request(
      'delete',
      `/api/0/organizations/acme/invited-members/${revoked.id}/`,
      undefined,
      owner,
    );
    assert.equal(revoke.status, 204);
    const gone = await api.get(revoked.path);
    assert.equal(gone.status, 404);
    assert.match(String((gone.body as Json).detail), /revoked/);
    assert.equal((await api.get(revoked.path.replace(/[0-9a-f]\/$/, 'x/'))).status, 404);
  });
});
