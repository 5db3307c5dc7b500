import assert from 'node:assert/strict';
import { AccountsRepository } from '../accounts';
import { describeEachDatabase } from '../testing/databases';
import {
  seedAccount,
  sessionFrom,
  startApiServer,
  type ApiServer,
  type SessionCredential,
} from './api-test-kit';

type Json = Record<string, unknown>;
const PASSWORD = 'correct horse battery';

/** A person's own sessions: listed with client, address and browser; one ended, or all the others. */
describeEachDatabase('your sessions', (ctx) => {
  let api: ApiServer;
  let token: string;

  before(async () => {
    const knex = ctx.db.knex;
    const seeded = await seedAccount(knex, { organization: 'acme', project: 'app', email: 'ada@acme.io' });
    token = seeded.token;
    api = await startApiServer(knex);
    const ada = await new AccountsRepository(knex).ensureUser('ada@acme.io', false);
    await api.auth.passwords.setPassword(ada.id, PASSWORD);
    await new AccountsRepository(knex)
      .ensureUser('eve@acme.io', false)
      .then((eve) => api.auth.passwords.setPassword(eve.id, PASSWORD));
  });
  after(async () => api?.close());

  async function signIn(email: string, userAgent: string): Promise<SessionCredential> {
    const response = await fetch(`${api.url}/api/0/auth/login/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'User-Agent': userAgent },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    assert.equal(response.status, 200);
    return sessionFrom({ status: response.status, headers: response.headers, body: null });
  }

  it('lists your sessions, ends one of the others, then all others, and never another person’s', async () => {
    const laptop = await signIn('ada@acme.io', 'Laptop/1.0');
    const phone = await signIn('ada@acme.io', 'Phone/2.0');
    const borrowed = await signIn('ada@acme.io', 'Borrowed/3.0');
    const eve = await signIn('eve@acme.io', 'Eve/1.0');

    const listed = await api.get('/api/0/users/me/sessions/', laptop);
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    const sessions = listed.body as Json[];
    assert.deepEqual(sessions.map((s) => s.userAgent).sort(), ['Borrowed/3.0', 'Laptop/1.0', 'Phone/2.0']);
    assert.deepEqual(
      sessions.filter((s) => s.current).map((s) => s.userAgent),
      ['Laptop/1.0'],
    );
    assert.ok(sessions.every((s) => s.client === 'web' && s.ip === '127.0.0.1'));
    const idOf = (agent: string) => String(sessions.find((s) => s.userAgent === agent)!.id);

    // Tokens can't reach them (an acting integration or a leaked token must not sign the person out).
    assert.equal((await api.get('/api/0/users/me/sessions/', token)).status, 403);
    // The current one ends by signing out; another person's is not yours to find.
    const current = await api.request(
      'delete',
      `/api/0/users/me/sessions/${idOf('Laptop/1.0')}/`,
      undefined,
      laptop,
    );
    assert.equal(current.status, 400);
    assert.equal((current.body as Json).code, 'current_session');
    const eveId = String(((await api.get('/api/0/users/me/sessions/', eve)).body as Json[])[0].id);
    const foreign = await api.request('delete', `/api/0/users/me/sessions/${eveId}/`, undefined, laptop);
    assert.equal(foreign.status, 404);
    assert.equal((await api.get('/api/0/users/me/', eve)).status, 200);
    // An id past what the column holds names no session either (not a database error).
    const huge = await api.request('delete', '/api/0/users/me/sessions/999999999999/', undefined, laptop);
    assert.equal(huge.status, 404, JSON.stringify(huge.body));

    const ended = await api.request(
      'delete',
      `/api/0/users/me/sessions/${idOf('Borrowed/3.0')}/`,
      undefined,
      laptop,
    );
    assert.equal(ended.status, 204, JSON.stringify(ended.body));
    assert.equal((await api.get('/api/0/users/me/', borrowed)).status, 401);
    assert.equal((await api.get('/api/0/users/me/', phone)).status, 200);

    const others = await api.request('delete', '/api/0/users/me/sessions/', undefined, laptop);
    assert.deepEqual(others.body, { ended: 1 });
    assert.equal((await api.get('/api/0/users/me/', phone)).status, 401);
    assert.equal((await api.get('/api/0/users/me/', laptop)).status, 200);
    assert.deepEqual(
      ((await api.get('/api/0/users/me/sessions/', laptop)).body as Json[]).map((s) => s.userAgent),
      ['Laptop/1.0'],
    );
  });
});
