import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { errorEvent, seedAccount, storeEvents } from '../../api/api-test-kit';
import { describeEachDatabase } from '../../testing/databases';
import { PluginEventsService } from './events-service';

describeEachDatabase('plugin events service', (ctx) => {
  let knex: Knex;
  let projectId: number;
  let issueId: number;
  const events = new Map<string, Record<string, unknown>>();
  let service: PluginEventsService;

  before(async () => {
    knex = ctx.db.knex;
    const seeded = await seedAccount(knex, { organization: 'acme', project: 'app', email: 'owner@acme.io' });
    projectId = seeded.projectId;
    const older = errorEvent({ type: 'TypeError', value: 'a', tags: { region: 'eu' }, release: 'app@1.0.0' });
    const newer = errorEvent({ type: 'TypeError', value: 'a', user: { id: '7', email: 'u@x.io' } });
    events.set('older', older);
    events.set('newer', newer);
    await storeEvents(knex, projectId, [older, newer]);
    issueId = (await knex('issues').where('project_id', projectId).first('id')).id;
    service = new PluginEventsService(knex);
  });

  it('reads a stored event by project and event id, in the shape processEvent sees', async () => {
    const sent = events.get('older')!;
    const event = await service.get(String(projectId), String(sent.event_id));
    assert.ok(event);
    assert.equal(event.event_id, sent.event_id);
    assert.equal(event.platform, 'javascript');
    assert.equal(event.level, 'error');
    assert.equal(event.release, 'app@1.0.0');
    assert.equal(typeof event.timestamp, 'number');
    assert.ok(Array.isArray(event.tags) && event.tags.some(([k, v]) => k === 'region' && v === 'eu'));
    assert.equal(event.exception?.values.at(-1)?.type, 'TypeError');
    assert.equal(event.hashes, undefined, 'grouping internals are not part of the event');
  });

  it('accepts dashed and capitalized ids; unknown ids and other projects find nothing', async () => {
    const id = String(events.get('older')!.event_id);
    const dashed =
      `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`.toUpperCase();
    assert.equal((await service.get(String(projectId), dashed))?.event_id, id);
    assert.equal(await service.get(String(projectId), 'f'.repeat(32)), undefined);
    assert.equal(await service.get(String(projectId + 1000), id), undefined);
    assert.equal(await service.get(String(projectId), 'not-an-id'), undefined);
  });

  it("gives an issue's newest event", async () => {
    const latest = await service.latestForIssue(String(issueId));
    assert.equal(latest?.event_id, events.get('newer')!.event_id);
    assert.equal(latest?.user?.id, '7');
    assert.equal(await service.latestForIssue('999999'), undefined);
  });
});
