import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { describeEachDatabase } from '../testing/databases';
import { SseClient } from '../testing/sse-client';
import {
  errorEvent,
  seedAccount,
  sessionFrom,
  startApiServer,
  storeEvents,
  type ApiServer,
  type Credential,
} from './api-test-kit';

type Json = Record<string, unknown>;
const PASSWORD = 'correct horse battery';

/**
 * Every credential is issued to a client, and what it changes is recorded as made through that
 * client, in the change stream and the audit log alike.
 */
describeEachDatabase('client identity of credentials', (ctx) => {
  let api: ApiServer;
  let knex: Knex;
  let ownerToken: string;
  let ownerEmail: string;
  let issueId: string;

  before(async () => {
    knex = ctx.db.knex;
    const seeded = await seedAccount(knex, { organization: 'acme', project: 'app', email: 'o@acme.io' });
    ownerToken = seeded.token;
    ownerEmail = 'o@acme.io';
    await storeEvents(knex, seeded.projectId, [errorEvent({ type: 'TypeError', value: 'x' })]);
    issueId = String((await knex('issues').where('project_id', seeded.projectId).first('id')).id);
    api = await startApiServer(knex);
    await api.auth.passwords.setPassword(seeded.userId, PASSWORD);
  });
  after(async () => api?.close());

  async function mint(client: string | undefined, credential: Credential = ownerToken): Promise<Json> {
    const answer = await api.request(
      'post',
      '/api/0/api-tokens/',
      { name: `${client ?? 'default'} token`, scopes: ['org:read', 'event:write'], client },
      credential,
    );
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    return answer.body as Json;
  }

  it('lists each token with its client, scopes and last use', async () => {
    const script = await mint(undefined);
    const editor = await mint('vscode');
    assert.equal(script.client, 'api');
    assert.equal(editor.client, 'vscode');
    assert.equal(
      (await api.get('/api/0/organizations/acme/', editor.token as string)).status,
      200,
      'a vscode token works',
    );
    const listed = (await api.get('/api/0/api-tokens/', ownerToken)).body as Json[];
    const byId = new Map(listed.map((t) => [t.id, t]));
    assert.deepEqual(byId.get(editor.id)?.scopes, ['org:read', 'event:write']);
    assert.equal(byId.get(editor.id)?.client, 'vscode');
    assert.equal(typeof byId.get(editor.id)?.dateLastUsed, 'string', 'used just now');
    assert.equal(byId.get(script.id)?.dateLastUsed, null, 'never used');
    assert.ok(!JSON.stringify(listed).includes(editor.token as string), 'never the token itself');
    const onlyEditors = (await api.get('/api/0/api-tokens/?client=vscode', ownerToken)).body as Json[];
    assert.ok(onlyEditors.every((t) => t.client === 'vscode'));
    assert.ok(onlyEditors.some((t) => t.id === editor.id));
  });

  it('refuses to issue a token to a client that takes none, naming the clients allowed', async () => {
    for (const client of ['web', 'slack', 'plugin', 'emacs']) {
      const answer = await api.request(
        'post',
        '/api/0/api-tokens/',
        { scopes: ['org:read'], client },
        ownerToken,
      );
      assert.equal(answer.status, 400, client);
      assert.match(JSON.stringify(answer.body), /client/);
    }
    const integration = await api.request(
      'post',
      '/api/0/organizations/acme/org-auth-tokens/',
      { name: 'Slack', scopes: ['event:read'], client: 'slack' },
      ownerToken,
    );
    assert.equal(integration.status, 201);
    assert.equal((integration.body as Json).client, 'slack');
    const listed = (await api.get('/api/0/organizations/acme/org-auth-tokens/', ownerToken)).body as Json[];
    assert.equal(listed.find((t) => t.id === (integration.body as Json).id)?.client, 'slack');
  });

  it("revokes one client's tokens and leaves the others working", async () => {
    const laptop = await mint('vscode');
    const desktop = await mint('vscode');
    const script = await mint('api');
    const revoked = await api.request(
      'delete',
      '/api/0/api-tokens/',
      { client: 'vscode' },
      script.token as string,
    );
    assert.equal(revoked.status, 204, JSON.stringify(revoked.body));
    for (const token of [laptop, desktop]) {
      const answer = await api.get('/api/0/organizations/acme/', token.token as string);
      assert.equal(answer.status, 401);
    }
    assert.equal((await api.get('/api/0/organizations/acme/', script.token as string)).status, 200);
    assert.equal((await api.get('/api/0/organizations/acme/', ownerToken)).status, 200);
    const audit = (await api.get('/api/0/organizations/acme/audit-logs/?event=apitoken.revoke', ownerToken))
      .body as { rows: Json[] };
    const targets = audit.rows.map((r) => r.targetObject);
    assert.ok(targets.includes(laptop.id) && targets.includes(desktop.id));
    assert.equal(audit.rows.find((r) => r.targetObject === laptop.id)?.surface, 'api', 'revoked by a script');

    // Sentry's own form: one token by id.
    const one = await api.request('delete', '/api/0/api-tokens/', { tokenId: script.id }, ownerToken);
    assert.equal(one.status, 204);
    assert.equal((await api.get('/api/0/organizations/acme/', script.token as string)).status, 401);
    const neither = await api.request('delete', '/api/0/api-tokens/', {}, ownerToken);
    assert.equal(neither.status, 400);
  });

  it('records changes with the surface of the credential that made them, in the change stream and the audit log', async () => {
    const signedIn = await api.request('post', '/api/0/auth/login/', {
      email: ownerEmail,
      password: PASSWORD,
    });
    assert.equal(signedIn.status, 200);
    const browser = sessionFrom(signedIn);
    const editor = (await mint('vscode')).token as string;
    const stream = await SseClient.connect(`${api.url}/api/0/organizations/acme/changes/`, {
      Authorization: `Bearer ${ownerToken}`,
    });
    try {
      await stream.until((c) => c.comments.includes('connected'), 5000, 'connected');
      const made: [Credential, string][] = [
        [browser, 'resolved'],
        [editor, 'unresolved'],
        [ownerToken, 'ignored'],
      ];
      for (const [credential, status] of made) {
        const answer = await api.put(`/api/0/issues/${issueId}/`, { status }, credential);
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
      }
      const stateChanges = () => stream.messages.filter((m) => m.event === 'issue.state_changed');
      await stream.until(() => stateChanges().length >= 3, 15_000, 'three changes');
      const surfaces = stateChanges().map((m) => (JSON.parse(m.data) as Json).surface);
      assert.deepEqual(surfaces, ['web', 'vscode', 'api']);
      const audit = (await api.get('/api/0/organizations/acme/audit-logs/?event=issue.update', ownerToken))
        .body as { rows: Json[] };
      assert.deepEqual(
        audit.rows.slice(0, 3).map((r) => r.surface),
        ['api', 'vscode', 'web'],
        'newest first',
      );
      const changes: { surface: string }[] = await knex('issue_changes')
        .where({ issue_id: Number(issueId), kind: 'state_changed' })
        .orderBy('id', 'desc')
        .limit(3)
        .select('surface');
      assert.deepEqual(
        changes.map((c) => c.surface),
        ['api', 'vscode', 'web'],
      );
    } finally {
      stream.close();
    }
  });
});
