import assert from 'node:assert/strict';
import http from 'node:http';
import { sleep, totalCount, waitFor, type ApiIssue } from './support/api';
import { preferredKind } from './support/database';
import {
  FIXTURE_PROJECT_ID,
  FIXTURE_PUBLIC_KEY,
  loadCapturedRequests,
  replayHeaders,
  wasChunked,
  type CapturedRequest,
} from './support/fixtures';
import { httpRequest, type HttpResponse } from './support/http';
import { insertProject, startStack, type Stack } from './support/stack';

/**
 * Replays every request captured from the official Sentry JavaScript SDKs, byte for byte, against a
 * real server whose project 42 has the fixtures' key; then checks the issues the fixture README
 * says a server must end up with.
 */
describe('captured Sentry SDK traffic replayed against a running faultline', function () {
  this.timeout(120_000);
  const requests = loadCapturedRequests();
  const answers = new Map<CapturedRequest, HttpResponse>();
  let stack: Stack | undefined;

  before(async () => {
    stack = await startStack(await preferredKind(), {
      prepare: (knex, setup) =>
        insertProject(knex, setup, {
          id: FIXTURE_PROJECT_ID,
          slug: 'fixtures',
          publicKey: FIXTURE_PUBLIC_KEY,
        }),
    });
    // One keep-alive connection, as the SDKs use, and the original order.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (const request of requests) {
        const answer = await httpRequest(`${stack.baseUrl}${request.url}`, {
          method: request.method,
          headers: replayHeaders(request),
          body: request.method === 'POST' ? request.body : undefined,
          chunkBytes: wasChunked(request) ? 16 * 1024 : undefined,
          agent,
        });
        answers.set(request, answer);
      }
    } finally {
      agent.destroy();
    }
  });

  after(async () => {
    await stack?.dispose();
  });

  const describeRequest = (r: CapturedRequest) =>
    `${r.scenario}/${r.nn} ${r.method} [${r.itemTypes.join(',')}]`;

  it('answers every captured envelope with 200 and CORS headers a browser SDK can read', () => {
    assert.equal(answers.size, requests.length);
    const posts = requests.filter((r) => r.method === 'POST');
    assert.ok(posts.length >= 30, `expected the whole capture, got ${posts.length} POSTs`);
    for (const request of posts) {
      const answer = answers.get(request)!;
      const what = `${describeRequest(request)} -> ${answer.status} ${answer.text().slice(0, 300)}`;
      assert.equal(answer.status, 200, what);
      assert.ok(answer.headers['access-control-allow-origin'], `${what}: no Access-Control-Allow-Origin`);
      const origin = request.rawHeaders.find(([name]) => name.toLowerCase() === 'origin')?.[1];
      if (origin)
        assert.ok(['*', origin].includes(String(answer.headers['access-control-allow-origin'])), what);
      const body = answer.json<{ id: string | null }>();
      if (request.itemTypes.includes('event')) assert.equal(body.id, request.envelopeEventId, what);
    }
  });

  it('answers the browser CORS preflight with 2xx allowing x-sentry-auth', () => {
    const preflights = requests.filter((r) => r.method === 'OPTIONS');
    assert.equal(preflights.length, 1);
    const answer = answers.get(preflights[0])!;
    assert.ok(answer.status >= 200 && answer.status < 300, `preflight answered ${answer.status}`);
    assert.ok(answer.headers['access-control-allow-origin'], 'preflight without Access-Control-Allow-Origin');
    assert.match(String(answer.headers['access-control-allow-headers']), /x-sentry-auth/i);
    assert.match(String(answer.headers['access-control-allow-methods'] ?? 'POST'), /POST/);
  });

  it('ends up with exactly the issues the fixture README lists, and none for spans, transactions, check-ins, sessions or client reports', async () => {
    const api = stack!.api;
    const list = () => api.issues(stack!.setup.organization, 'fixtures');
    let issues: ApiIssue[] = [];
    // a, b, c, d, d2, e, h and the two browser errors: 9 events.
    await waitFor(
      'the 9 fixture events to be processed',
      async () => {
        issues = await list();
        return totalCount(issues) >= 9 ? issues : undefined;
      },
      { describe: () => JSON.stringify(issues.map((i) => [i.title, i.count])) },
    );
    await sleep(1000);
    issues = await list();
    const summary = JSON.stringify(issues.map((i) => [i.title, i.count, i.level]));
    assert.equal(totalCount(issues), 9, summary);

    const byTitle = (title: string) => {
      const found = issues.filter((i) => i.title === title);
      assert.ok(found.length > 0, `no issue titled "${title}" among ${summary}`);
      return found;
    };
    const [orders] = byTitle('Error: Order 8123 not found');
    assert.equal(orders.count, '2', 'a and b share a throw site: one issue with both events');
    assert.equal(orders.level, 'error');
    assert.match(orders.culprit, /findOrder/);
    assert.match(orders.culprit, /inventory/);

    const [cart] = byTitle('Error: Could not load cart for checkout');
    assert.equal(cart.count, '1');

    // d (synthetic stack) and d2 (plain message) may be one issue or two.
    const payment = byTitle('Payment provider timeout after 3000 ms');
    assert.ok(payment.length <= 2);
    assert.equal(totalCount(payment), 2);
    for (const issue of payment) assert.equal(issue.level, 'warning');

    const [warehouse] = byTitle('RangeError: Warehouse feed returned HTTP 503');
    assert.equal(warehouse.count, '1');
    assert.equal(warehouse.level, 'fatal');
    assert.equal(warehouse.isUnhandled, true);

    const [invoice] = byTitle('Error: Invoice export failed for batch 2024-06-B');
    assert.equal(invoice.count, '1');

    const [card] = byTitle('Error: Card validation failed for order 5521');
    assert.equal(card.count, '2', 'the default and the preflight browser runs have identical frames');
    assert.equal(card.isUnhandled, true);

    assert.equal(issues.length, 6 + (payment.length - 1), `unexpected extra issues: ${summary}`);

    // The cause chain is kept: the TypeError is the first (oldest) exception, the Error the last.
    const cartEvent = await api.latestEvent(cart.id);
    const chain = cartEvent.entries?.find((e) => e.type === 'exception')?.data.values ?? [];
    assert.deepEqual(
      chain.map((v) => v.type),
      ['TypeError', 'Error'],
    );

    const cardEvent = await api.latestEvent(card.id);
    const tags = new Map((cardEvent.tags ?? []).map((t) => [t.key, t.value]));
    assert.equal(tags.get('release'), 'shop-web@1.4.2');

    // The gzipped 66 KB envelope arrived whole and was normalized: its 60 KB context value is kept
    // to a context's bag size (8 KiB, as Relay does), ending in "...".
    const invoiceEvent = await api.latestEvent(invoice.id);
    const payload = invoiceEvent.contexts.export_payload as Record<string, unknown> | undefined;
    const raw = String(payload?.raw ?? '');
    assert.equal(raw.length, 8171);
    assert.ok(raw.endsWith('...'));
  });
});
