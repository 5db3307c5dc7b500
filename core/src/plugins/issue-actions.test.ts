import assert from 'node:assert/strict';
import path from 'node:path';
import pino from 'pino';
import type { Knex } from 'knex';
import {
  errorEvent,
  seedAccount,
  startApiServer,
  storeEvents,
  tokenWithScopes,
  type ApiServer,
} from '../api/api-test-kit';
import { SseClient } from '../testing/sse-client';
import { describeEachDatabase } from '../testing/databases';
import { PluginHost } from './host';
import { IssueActions } from './issue-actions';
import { pluginServices } from './plugin-services';

const silent = pino({ level: 'silent' });
const FIXTURE = path.join(__dirname, 'test-fixtures', 'issue-actions');
/** Short, so the hanging action's test is quick; long enough for a loaded machine's thread calls. */
const ACTION_BUDGET_MS = 1500;

type Json = Record<string, unknown>;

/**
 * Issue actions through the REST API, with a plugin of the tests' own (test-fixtures/issue-actions)
 * on its own thread: listed with their input forms, run as the caller with the caller's rights, and
 * recorded with the caller's surface; a plugin that refuses, fails or hangs answers its caller with
 * an error naming it, and the server goes on.
 */
describeEachDatabase('issue actions', (ctx) => {
  let knex: Knex;
  let host: PluginHost;
  let api: ApiServer;
  let owner: string;
  let issueId: string;
  let shortId: string;

  before(async () => {
    knex = ctx.db.knex;
    const seeded = await seedAccount(knex, { organization: 'acme', project: 'shop', email: 'o@acme.io' });
    owner = seeded.token;
    await storeEvents(knex, seeded.projectId, [errorEvent({ type: 'TypeError', value: 'boom' })]);
    const issue = await knex('issues').where('project_id', seeded.projectId).first('id');
    issueId = String(issue.id);
    host = await PluginHost.start([FIXTURE], {
      knex,
      log: silent,
      actionBudgetMs: ACTION_BUDGET_MS,
      services: pluginServices({ knex, publicUrl: 'http://faultline.test', allowPrivateNetworks: false }),
    });
    assert.deepEqual(host.skipped, []);
    api = await startApiServer(knex, {
      issueActions: new IssueActions(host, { knex, publicUrl: 'http://faultline.test', log: silent }),
    });
    shortId = ((await api.get(`/api/0/issues/${issueId}/`, owner)).body as Json).shortId as string;
  });
  after(async () => {
    await api?.close();
    await host?.stop();
  });

  const run = (action: string, input: unknown, credential = owner) =>
    api.request('post', `/api/0/issues/${issueId}/actions/tickets/${action}/`, { input }, credential);

  it("lists the plugin's actions on an issue with their input forms as JSON Schema", async () => {
    const answer = await api.get(`/api/0/issues/${issueId}/actions/`, owner);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const actions = answer.body as Json[];
    assert.deepEqual(
      actions.map((a) => [a.plugin, a.id, a.label]),
      [
        ['tickets', 'create-ticket', 'Create ticket'],
        ['tickets', 'ping', 'Ping'],
      ],
    );
    const form = actions[0].inputSchema as { type: string; properties: Json; required?: string[] };
    assert.equal(form.type, 'object');
    assert.deepEqual(Object.keys(form.properties), ['title', 'priority']);
    assert.deepEqual(form.required, ['title'], 'a field with a default is optional to send');
    assert.deepEqual((form.properties.priority as Json).enum, ['low', 'high']);
  });

  it('runs an action as the caller: a vscode token records the run and its change as vscode', async () => {
    const editor = (
      await api.request(
        'post',
        '/api/0/api-tokens/',
        { name: 'editor', scopes: ['org:read', 'event:read', 'event:write'], client: 'vscode' },
        owner,
      )
    ).body as Json;
    const stream = await SseClient.connect(`${api.url}/api/0/organizations/acme/changes/`, {
      Authorization: `Bearer ${owner}`,
    });
    try {
      await stream.until((c) => c.comments.includes('connected'), 5000, 'connected');
      const answer = await run('create-ticket', { title: 'Checkout fails' }, editor.token as string);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      const userId = String((await knex('users').where('email', 'o@acme.io').first('id')).id);
      assert.deepEqual(answer.body, {
        message: `Filed tickets:${shortId} for vscode user ${userId}`,
        url: `https://tickets.example/${shortId}`,
        externalIssue: {
          key: `tickets:${shortId}`,
          url: `https://tickets.example/${shortId}`,
          title: 'Checkout fails',
        },
      });
      // The comment the plugin made with call.changeOptions is the caller's, through vscode.
      const commentedMessage = () => stream.messages.find((m) => m.event === 'issue.commented');
      await stream.until(() => commentedMessage() !== undefined, 15_000, 'the comment');
      const change = JSON.parse(commentedMessage()!.data) as Json;
      assert.equal(change.surface, 'vscode');
      assert.equal((change.actor as Json | null)?.id ?? change.actorUserId, userId);
      const notes = (await api.get(`/api/0/issues/${issueId}/comments/`, owner)).body as Json[];
      assert.equal((notes[0].data as Json).text, 'Ticket filed: Checkout fails (low)');
      assert.equal((notes[0].user as Json).id, userId);
      const audit = (await api.get('/api/0/organizations/acme/audit-logs/?event=issue.action', owner))
        .body as { rows: Json[] };
      assert.equal(audit.rows[0].surface, 'vscode');
      assert.equal((audit.rows[0].actor as Json).id, userId);
      assert.deepEqual(
        [
          audit.rows[0].targetObject,
          (audit.rows[0].data as Json).plugin,
          (audit.rows[0].data as Json).action,
        ],
        [issueId, 'tickets', 'create-ticket'],
      );
    } finally {
      stream.close();
    }
  });

  it('refuses callers without access: 404 for who cannot see the issue, 403 without event:write or a user', async () => {
    await seedAccount(knex, { organization: 'other', project: 'web', email: 'x@other.io' });
    const outsider = await tokenWithScopes(knex, 'x@other.io', ['org:read', 'event:read', 'event:write']);
    assert.equal((await api.get(`/api/0/issues/${issueId}/actions/`, outsider)).status, 404);
    assert.equal((await run('ping', {}, outsider)).status, 404);
    const reader = await tokenWithScopes(knex, 'o@acme.io', ['org:read', 'event:read']);
    assert.equal((await api.get(`/api/0/issues/${issueId}/actions/`, reader)).status, 200);
    assert.equal((await run('ping', {}, reader)).status, 403);
    // An organization token has no user to run the action as.
    const service = (
      await api.request(
        'post',
        '/api/0/organizations/acme/org-auth-tokens/',
        { name: 'ci', scopes: ['org:read', 'event:read', 'event:write'] },
        owner,
      )
    ).body as { token: string };
    const asService = await run('ping', {}, service.token);
    assert.equal(asService.status, 403);
    assert.equal((asService.body as Json).code, 'action_needs_user');
  });

  it('answers 400 naming every invalid input field, and 404 for an unknown action', async () => {
    const answer = await run('create-ticket', { title: 'x', priority: 'urgent' });
    assert.equal(answer.status, 400);
    const detail = (answer.body as Json).detail as string;
    assert.match(detail, /`title`/);
    assert.match(detail, /`priority`/);
    assert.equal((await run('no-such-action', {})).status, 404);
    assert.equal(
      (await api.request('post', `/api/0/issues/${issueId}/actions/nope/ping/`, { input: {} }, owner)).status,
      404,
    );
  });

  it("answers the plugin's refusal as a 422 with its message, and its failure as a 502 naming it", async () => {
    const refused = await run('create-ticket', { title: 'refuse me' });
    assert.equal(refused.status, 422);
    assert.deepEqual(refused.body, {
      detail: 'The ticket tracker is read-only today',
      code: 'tracker_read_only',
    });
    const crashed = await run('create-ticket', { title: 'crash me' });
    assert.equal(crashed.status, 502);
    assert.match((crashed.body as Json).detail as string, /Plugin tickets failed/);
    assert.doesNotMatch((crashed.body as Json).detail as string, /blew up/, 'details stay in the log');
  });

  it('stops an action that hangs with a 504, and the plugin answers again afterwards', async () => {
    const hung = await run('create-ticket', { title: 'hang me' });
    assert.equal(hung.status, 504);
    assert.match(
      (hung.body as Json).detail as string,
      /Plugin tickets did not finish .*PLUGIN_HOOK_BUDGET_MS/,
    );
    const ping = await run('ping', {});
    assert.equal(ping.status, 200, JSON.stringify(ping.body));
    assert.deepEqual(ping.body, { message: `pong ${shortId}` });
  });

  it('leaves out an action whose `available` says no', async () => {
    assert.equal((await api.put(`/api/0/issues/${issueId}/`, { status: 'resolved' }, owner)).status, 200);
    const listed = (await api.get(`/api/0/issues/${issueId}/actions/`, owner)).body as Json[];
    assert.deepEqual(
      listed.map((a) => a.id),
      ['ping'],
    );
    assert.equal((await run('create-ticket', { title: 'Checkout fails' })).status, 404);
  });
});
