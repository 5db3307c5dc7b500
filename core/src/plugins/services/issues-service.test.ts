import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import type { PluginError } from '@faultline/plugin-sdk';
import { AccountsRepository } from '../../accounts';
import { errorEvent, seedAccount, storeEvents } from '../../api/api-test-kit';
import { listIssueComments } from '../../issues';
import { describeEachDatabase } from '../../testing/databases';
import { changesSince, lastChangeId } from '../../testing/changes';
import { hookTransaction, PostgresKeyValueStorage } from '../storage';
import { PluginIssuesService } from './issues-service';

const PUBLIC_URL = 'https://faultline.example';
const codeOf = (error: unknown) => (error as PluginError).code;

describeEachDatabase('plugin issues service', (ctx) => {
  let knex: Knex;
  let service: PluginIssuesService;
  let organizationId: number;
  let ownerId: number;
  let issueId: string;
  let otherIssueId: string;

  before(async () => {
    knex = ctx.db.knex;
    const seeded = await seedAccount(knex, { organization: 'acme', project: 'app', email: 'owner@acme.io' });
    ownerId = seeded.userId;
    organizationId = (await knex('projects').where('id', seeded.projectId).first('organization_id'))
      .organization_id;
    await storeEvents(knex, seeded.projectId, [
      errorEvent({ type: 'TypeError', value: 'a', level: 'warning', user: { id: '1' } }),
      errorEvent({ type: 'TypeError', value: 'a', level: 'warning', user: { id: '2' } }),
      errorEvent({ type: 'RangeError', value: 'b', functionName: 'other' }),
    ]);
    const issues: { id: number }[] = await knex('issues').orderBy('id').select('id');
    issueId = String(issues[0].id);
    otherIssueId = String(issues[1].id);
    service = new PluginIssuesService(knex, 'tracker', { publicUrl: PUBLIC_URL });
  });

  it('reads an issue as the REST API names it: short id, level, counts, permalink', async () => {
    const issue = await service.get(issueId);
    assert.deepEqual(
      { ...issue, firstSeen: undefined, lastSeen: undefined },
      {
        id: issueId,
        projectId: String((await knex('issues').where('id', issueId).first('project_id')).project_id),
        shortId: 'APP-1',
        title: 'TypeError: a',
        culprit: issue!.culprit,
        level: 'warning',
        status: 'unresolved',
        assignedTo: null,
        firstSeen: undefined,
        lastSeen: undefined,
        count: 2,
        userCount: 2,
        permalink: `${PUBLIC_URL}/organizations/acme/issues/${issueId}/`,
      },
    );
    assert.ok(!Number.isNaN(Date.parse(issue!.firstSeen)));
    assert.equal(await service.get('999999'), undefined);
    assert.equal(await service.get('APP-1'), undefined);
  });

  it('changes the status through the issues domain: outbox (surface plugin) and audit log', async () => {
    const start = await lastChangeId(knex);
    const resolved = await service.updateStatus(issueId, 'resolved');
    assert.equal(resolved.status, 'resolved');
    const row = await knex('issues').where('id', issueId).first('resolved_at', 'substatus');
    assert.ok(row.resolved_at, 'resolving stamps resolved_at, as the REST API does');
    assert.equal(row.substatus, null);
    await service.updateStatus(issueId, 'resolved'); // a no-op is not announced
    const changes = await changesSince(knex, organizationId, start, 1);
    assert.deepEqual(
      changes.map((c) => [c.kind, c.surface, c.actorUserId, c.data]),
      [
        [
          'state_changed',
          'plugin',
          null,
          { from: { status: 'unresolved', substatus: 'new' }, to: { status: 'resolved', substatus: null } },
        ],
      ],
    );
    const audit = await knex('audit_log')
      .where({ event: 'issue.update', target_id: issueId })
      .orderBy('id', 'desc')
      .first();
    const data = typeof audit.data === 'string' ? JSON.parse(audit.data) : audit.data;
    assert.deepEqual(data, { surface: 'plugin', shortId: 'APP-1', status: 'resolved', plugin: 'tracker' });
  });

  it('records the acting member and the surface the plugin names; refuses a non-member actor', async () => {
    const start = await lastChangeId(knex);
    const reopened = await service.updateStatus(issueId, 'unresolved', {
      actorUserId: String(ownerId),
      surface: 'slack',
    });
    assert.equal(reopened.status, 'unresolved');
    const [change] = await changesSince(knex, organizationId, start, 1);
    assert.deepEqual([change.kind, change.surface, change.actorUserId], ['state_changed', 'slack', ownerId]);

    const stranger = await new AccountsRepository(knex).ensureUser('stranger@else.io', false);
    await assert.rejects(
      service.updateStatus(issueId, 'ignored', { actorUserId: String(stranger.id) }),
      (e) => codeOf(e) === 'invalid_actor',
    );
    await assert.rejects(
      service.updateStatus(issueId, 'closed' as 'resolved'),
      (e) => codeOf(e) === 'invalid_request',
    );
    assert.equal((await service.get(issueId))!.status, 'unresolved');
  });

  it('assigns members only, and unassigns', async () => {
    const start = await lastChangeId(knex);
    const assigned = await service.assign(issueId, String(ownerId));
    assert.deepEqual(assigned.assignedTo, { userId: String(ownerId) });
    const stranger = await new AccountsRepository(knex).ensureUser('stranger2@else.io', false);
    await assert.rejects(
      service.assign(issueId, String(stranger.id)),
      (e) => codeOf(e) === 'invalid_assignee',
    );
    await assert.rejects(service.assign(issueId, 'nobody'), (e) => codeOf(e) === 'invalid_request');
    assert.equal((await service.assign(issueId, null)).assignedTo, null);
    assert.deepEqual(
      (await changesSince(knex, organizationId, start, 2)).map((c) => [c.kind, c.surface, c.data]),
      [
        ['assigned', 'plugin', { from: null, to: `user:${ownerId}` }],
        ['assigned', 'plugin', { from: `user:${ownerId}`, to: null }],
      ],
    );
  });

  it('comments like the REST API: stored, announced as commented with its id and text', async () => {
    const start = await lastChangeId(knex);
    const comment = await service.comment(issueId, 'Opened acme/api#42', {
      actorUserId: String(ownerId),
      surface: 'github',
    });
    assert.equal(comment.issueId, issueId);
    assert.equal(comment.text, 'Opened acme/api#42');
    assert.equal(comment.userId, String(ownerId));
    assert.ok(!Number.isNaN(Date.parse(comment.createdAt)));
    const stored = await listIssueComments(knex, Number(issueId));
    assert.equal(String(stored[0].id), comment.id);
    assert.deepEqual(
      (await changesSince(knex, organizationId, start, 1)).map((c) => [
        c.kind,
        c.surface,
        c.actorUserId,
        c.data,
      ]),
      [['commented', 'github', ownerId, { commentId: comment.id, text: 'Opened acme/api#42' }]],
    );
    await assert.rejects(service.comment(issueId, '  '), (e) => codeOf(e) === 'invalid_comment');
    await assert.rejects(service.comment('999999', 'hi'), (e) => codeOf(e) === 'not_found');
  });

  it('reports an unknown issue as not_found on every change', async () => {
    for (const call of [
      () => service.updateStatus('999999', 'resolved'),
      () => service.assign('999999', null),
      () => service.linkExternalIssue('999999', { key: 'k', url: 'https://x.example/1' }),
      () => service.externalIssues('999999'),
    ]) {
      await assert.rejects(call(), (e) => codeOf(e) === 'not_found' && (e as Error).name === 'PluginError');
    }
  });

  it("links external issues in the plugin's own namespace and finds issues by them", async () => {
    await service.linkExternalIssue(issueId, {
      key: 'github:acme/api#42',
      url: 'https://github.com/acme/api/issues/42',
    });
    await service.linkExternalIssue(issueId, {
      key: 'github:acme/api#42',
      url: 'https://github.com/acme/api/issues/42',
      title: 'Checkout fails',
    });
    await service.linkExternalIssue(otherIssueId, {
      key: 'github:acme/api#42',
      url: 'https://github.com/acme/api/issues/42',
    });
    assert.deepEqual(await service.externalIssues(issueId), [
      { key: 'github:acme/api#42', url: 'https://github.com/acme/api/issues/42', title: 'Checkout fails' },
    ]);
    const found = await service.findByExternalIssue('github:acme/api#42');
    assert.deepEqual(
      found.map((i) => i.id),
      [issueId, otherIssueId],
    );
    assert.equal(found[0].shortId, 'APP-1');

    const neighbour = new PluginIssuesService(knex, 'jira', { publicUrl: PUBLIC_URL });
    assert.deepEqual(await neighbour.externalIssues(issueId), []);
    assert.deepEqual(await neighbour.findByExternalIssue('github:acme/api#42'), []);
    assert.deepEqual(await service.findByExternalIssue('github:acme/api#43'), []);

    await assert.rejects(
      service.linkExternalIssue(issueId, { key: '', url: 'https://x.example' }),
      (e) => codeOf(e) === 'invalid_request',
    );
    await assert.rejects(
      service.linkExternalIssue(issueId, { key: 'k', url: 'javascript:alert(1)' }),
      (e) => codeOf(e) === 'invalid_request',
    );
  });

  it('finds issues by short id, any case, as a commit message names them', async () => {
    assert.deepEqual(
      (await service.findByShortId('app-2')).map((i) => [i.id, i.shortId]),
      [[otherIssueId, 'APP-2']],
    );
    assert.deepEqual(await service.findByShortId('APP-99'), []);
    assert.deepEqual(await service.findByShortId('not a short id'), []);
  });

  it('claims a storage key once: setIfAbsent stores only when the key is new', async () => {
    const storage = new PostgresKeyValueStorage(knex, 'tracker');
    const claims = await Promise.all([1, 2, 3].map((n) => storage.setIfAbsent('claim:1', { n })));
    assert.equal(claims.filter(Boolean).length, 1);
    const winner = claims.indexOf(true) + 1;
    assert.deepEqual(await storage.get('claim:1'), { n: winner });
    assert.equal(await storage.setIfAbsent('claim:1', { n: 4 }), false);
  });

  it("works inside the pipeline's transaction (processEvent on a one-connection database)", async () => {
    await knex.transaction((trx) =>
      hookTransaction.run(trx, async () => {
        assert.equal((await service.get(issueId))?.shortId, 'APP-1');
        await service.comment(issueId, 'from processEvent');
      }),
    );
    assert.equal((await listIssueComments(knex, Number(issueId)))[0].text, 'from processEvent');
  });
});
