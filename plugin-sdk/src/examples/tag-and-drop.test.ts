import assert from 'node:assert/strict';
import path from 'node:path';
import { startTestHost, type TestHost, type TestHostOptions } from '../testing';
import tagAndDrop from './tag-and-drop';

// The guide's example, run the way README.md tells plugin authors to test theirs. The test host is
// @faultline/core, loaded at run time: `npx tsc -b` must have built it (and this package).
const forms: [string, TestHostOptions['plugins'][number]][] = [
  ['given as a definition (in the test thread)', tagAndDrop],
  // By path, as an installation loads it: on a worker thread of its own.
  [
    'given as a module path (on its own thread)',
    path.resolve(__dirname, '../../dist/examples/tag-and-drop.js'),
  ],
];

for (const [form, plugin] of forms) {
  describe(`example plugin tag-and-drop ${form}, on a real test host`, function () {
    this.timeout(60_000);
    let host: TestHost;

    before(async () => {
      host = await startTestHost({ plugins: [plugin], config: { 'tag-and-drop': { team: 'payments' } } });
    });
    after(async () => {
      await host?.close();
    });

    it('stores an ordinary event tagged with the team and drops a health check', async () => {
      const kept = await host.sendEvent({
        message: 'Checkout failed',
        level: 'error',
        request: { url: 'https://shop.example.com/checkout', method: 'POST' },
      });
      const dropped = await host.sendEvent({
        message: 'Health check failed',
        request: { url: 'https://shop.example.com/healthz', method: 'GET' },
      });
      await host.waitForIdle();

      const events = `/api/0/projects/${host.organization.slug}/${host.project.slug}/events`;
      const stored = await host.api(`${events}/${kept}/`);
      assert.equal(stored.status, 200);
      const event = (await stored.json()) as { tags: { key: string; value: string }[] };
      assert.deepEqual(
        event.tags.filter((t) => t.key === 'team'),
        [{ key: 'team', value: 'payments' }],
      );
      assert.equal((await host.api(`${events}/${dropped}/`)).status, 404);

      const issues = await host.api(`/api/0/projects/${host.organization.slug}/${host.project.slug}/issues/`);
      const titles = ((await issues.json()) as { title: string }[]).map((issue) => issue.title);
      assert.deepEqual(titles, ['Checkout failed']);
    });

    it('tags with the team the project set for itself, read in processEvent', async () => {
      const settings = `/api/0/projects/${host.organization.slug}/${host.project.slug}/plugins/tag-and-drop/`;
      const put = await host.api(settings, {
        method: 'PUT',
        body: JSON.stringify({ config: { team: 'checkout' } }),
      });
      assert.equal(put.status, 200, await put.text());
      const ids = await Promise.all(
        [1, 2, 3].map((n) => host.sendEvent({ message: `Cart failed ${n}`, level: 'error' })),
      );
      await host.waitForIdle();

      const events = `/api/0/projects/${host.organization.slug}/${host.project.slug}/events`;
      for (const id of ids) {
        const event = (await (await host.api(`${events}/${id}/`)).json()) as {
          tags: { key: string; value: string }[];
        };
        assert.deepEqual(
          event.tags.filter((t) => t.key === 'team'),
          [{ key: 'team', value: 'checkout' }],
        );
      }
    });
  });
}

describe('startTestHost with a plugin the host would skip', function () {
  this.timeout(60_000);

  it('refuses to start, with the reason the host gives', async () => {
    await assert.rejects(
      startTestHost({ plugins: [tagAndDrop], config: { 'tag-and-drop': { team: '' } } }),
      (error: Error & { code?: string }) =>
        error.code === 'plugin_skipped' && /invalid config team: /.test(error.message),
    );
  });
});
