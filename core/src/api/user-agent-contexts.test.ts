import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Knex } from 'knex';
import { FIXTURES_DIR } from '../testing/fixtures';
import { describeEachDatabase } from '../testing/databases';
import { startSeededApi, storeEvents, type ApiServer } from './api-test-kit';

/** The event @sentry/browser sent from headless Chromium: a User-Agent header and no browser/os context. */
function browserSdkEvent(): Record<string, unknown> {
  let body = readFileSync(join(FIXTURES_DIR, 'browser-click-error', '03.body.bin'));
  if (body[0] === 0x1f && body[1] === 0x8b) body = gunzipSync(body);
  const payload = JSON.parse(body.toString('utf8').split('\n')[2]) as Record<string, unknown>;
  return { ...payload, event_id: randomUUID().replace(/-/g, '') };
}

interface EventAnswer {
  contexts: Record<string, Record<string, unknown>>;
  tags: { key: string; value: string }[];
}

describeEachDatabase('browser and os contexts from the User-Agent header', (ctx) => {
  let knex: Knex;
  let api: ApiServer;
  let token: string;
  let projectId: number;

  before(async () => {
    knex = ctx.db.knex;
    ({ api, token, projectId } = await startSeededApi(knex));
  });

  after(async () => api.close());

  async function latestOf(
    payload: Record<string, unknown>,
  ): Promise<{ issueId: number; event: EventAnswer }> {
    await storeEvents(knex, projectId, [payload]);
    const { issue_id: issueId } = await knex('events')
      .where({ project_id: projectId, event_id: payload.event_id })
      .first('issue_id');
    const answer = await api.get(`/api/0/issues/${issueId}/events/latest/`, token);
    assert.equal(answer.status, 200);
    return { issueId, event: answer.body as EventAnswer };
  }

  it('fills the browser and os a browser SDK left out, as tags and search keys too', async () => {
    const { issueId, event } = await latestOf(browserSdkEvent());
    assert.equal(event.contexts.browser.name, 'Chrome Headless');
    assert.equal(event.contexts.browser.version, '156.0.0.0');
    assert.equal(event.contexts.os.name, 'Linux');
    assert.equal(event.contexts.device, undefined, 'a desktop browser names no device');
    assert.equal(event.contexts.culture.locale, 'en-US', "the SDK's own contexts stay");
    const tags = new Map(event.tags.map((t) => [t.key, t.value]));
    assert.equal(tags.get('browser.name'), 'Chrome Headless');
    assert.equal(tags.get('os.name'), 'Linux');

    const search = async (query: string) =>
      (
        (await api.get(`/api/0/projects/acme/app/issues/?query=${encodeURIComponent(query)}`, token))
          .body as { id: string }[]
      ).map((i) => i.id);
    assert.deepEqual(await search('browser.name:"Chrome Headless"'), [String(issueId)]);
    assert.deepEqual(await search('os.name:Linux'), [String(issueId)]);
    assert.deepEqual(await search('os.name:Windows'), []);
  });

  it('never overwrites a context the SDK sent', async () => {
    const payload = browserSdkEvent();
    const { event } = await latestOf({
      ...payload,
      exception: { values: [{ type: 'RangeError', value: 'another issue' }] },
      contexts: { ...(payload.contexts as object), browser: { name: 'Firefox', version: '140.0' } },
    });
    assert.deepEqual(
      { name: event.contexts.browser.name, version: event.contexts.browser.version },
      { name: 'Firefox', version: '140.0' },
    );
    assert.equal(event.contexts.os.name, 'Linux', 'the context it left out still comes from the header');
  });
});
