import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { normalizeEvent, parseTimestamp, type NormalizedEvent } from './index';
import { FIXTURES_DIR } from '../testing/fixtures';

/** Real captured SDK requests (../shared/fixtures/README.md describes them). */
const FIXTURES = FIXTURES_DIR;
const CLIENT_IP = '203.0.113.7';

interface FixtureEvent {
  name: string;
  envelopeEventId: string;
  sentAt: number;
  receivedAt: number;
  payload: Record<string, unknown>;
}

/** Every `event` item in the captured bodies (three lines each: envelope header, item header, payload). */
function loadFixtureEvents(): FixtureEvent[] {
  const events: FixtureEvent[] = [];
  for (const scenario of readdirSync(FIXTURES).sort()) {
    const dir = join(FIXTURES, scenario);
    if (!existsSync(join(dir, '01.request.json'))) continue;
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith('.body.bin'))
      .sort()) {
      let body = readFileSync(join(dir, file));
      if (body[0] === 0x1f && body[1] === 0x8b) body = gunzipSync(body);
      const [envelopeLine, itemLine, payloadLine] = body.toString('utf8').split('\n');
      if (!payloadLine || (JSON.parse(itemLine) as { type?: string }).type !== 'event') continue;
      const envelope = JSON.parse(envelopeLine) as { event_id: string; sent_at: string };
      const request = JSON.parse(
        readFileSync(join(dir, file.replace('.body.bin', '.request.json')), 'utf8'),
      ) as {
        receivedAt: string;
      };
      events.push({
        name: `${scenario}/${file.slice(0, 2)}`,
        envelopeEventId: envelope.event_id,
        sentAt: parseTimestamp(envelope.sent_at) ?? Number.NaN,
        receivedAt: Date.parse(request.receivedAt) / 1000,
        payload: JSON.parse(payloadLine) as Record<string, unknown>,
      });
    }
  }
  return events;
}

function tag(event: NormalizedEvent, key: string): string | undefined {
  return event.tags.find(([k]) => k === key)?.[1];
}

const fixtures = loadFixtureEvents();

/** Scenario-specific expectations, keyed by scenario directory. */
const expectations: Record<string, (event: NormalizedEvent) => void> = {
  'node-a-exception': (event) => {
    assert.equal(event.level, 'error');
    assert.equal(event.release, 'shop@1.4.2');
    assert.equal(event.environment, 'production');
    assert.equal(event.platform, 'node');
    assert.equal(event.server_name, 'fixture-host');
    assert.equal(event.user?.id, 'u-1842');
    assert.equal(event.user?.ip_address, undefined, 'node does not ask for IP inference');
    assert.deepEqual(event.tags.slice(0, 2), [
      ['region', 'eu-west-1'],
      ['checkout_flow', 'express'],
    ]);
    assert.equal(tag(event, 'user'), 'id:u-1842');
    assert.equal(tag(event, 'os.name'), 'Debian');
    assert.equal(tag(event, 'runtime.name'), 'node');
    assert.equal(tag(event, 'handled'), 'yes');
    assert.equal(tag(event, 'mechanism'), 'generic');
    assert.equal(event.breadcrumbs?.values.length, 1);
    const { timestamp, ...crumb } = event.breadcrumbs?.values[0] ?? {};
    assert.ok(
      timestamp !== undefined && Math.abs(timestamp - event.timestamp) < 1,
      'crumb precedes the event',
    );
    assert.deepEqual(crumb, {
      category: 'cart',
      message: 'Added MUG-01 to cart',
      level: 'info',
      data: { sku: 'MUG-01', quantity: 2 },
    });
    assert.equal(event.contexts?.os.version, '12.11');
    const [exception] = event.exception?.values ?? [];
    assert.equal(exception.type, 'Error');
    assert.match(exception.value ?? '', /^Order \d+ not found$/);
    const frames = exception.stacktrace?.frames ?? [];
    assert.equal(frames.length, 4);
    assert.deepEqual(
      frames.map((f) => [f.function, f.lineno, f.in_app]),
      [
        ['process.processImmediate', 483, false],
        ['Immediate.handleCheckoutJob [as _onImmediate]', 26, true],
        ['orderTotal', 7, true],
        ['findOrder', 12, true],
      ],
    );
    assert.equal(frames[3].context_line, '    throw new Error(`Order ${orderId} not found`);');
  },
  'node-c-cause-chain': (event) => {
    const values = event.exception?.values ?? [];
    assert.deepEqual(
      values.map((v) => [v.type, v.value]),
      [
        ['TypeError', "Cannot read properties of undefined (reading 'items')"],
        ['Error', 'Could not load cart for checkout'],
      ],
    );
    assert.deepEqual(values[0].mechanism, {
      handled: true,
      type: 'chained',
      source: 'cause',
      exception_id: 1,
      parent_id: 0,
    });
  },
  'node-d-message': (event) => {
    assert.equal(event.level, 'warning');
    assert.equal(event.message, 'Payment provider timeout after 3000 ms');
    assert.equal(event.logentry, undefined);
    const [synthetic] = event.exception?.values ?? [];
    assert.equal(synthetic.type, undefined);
    assert.equal(synthetic.value, 'Payment provider timeout after 3000 ms');
    assert.equal(synthetic.mechanism?.synthetic, true);
    assert.equal(synthetic.stacktrace?.frames.at(-1)?.lineno, 5);
    assert.equal(tag(event, 'provider'), 'acme-pay');
    assert.equal(tag(event, 'level'), 'warning');
  },
  'node-d2-message-no-stacktrace': (event) => {
    assert.equal(event.level, 'warning');
    assert.equal(event.message, 'Payment provider timeout after 3000 ms');
    assert.equal(event.exception, undefined);
  },
  'node-e-uncaught': (event) => {
    assert.equal(event.level, 'fatal');
    const values = event.exception?.values ?? [];
    assert.equal(values.at(-1)?.type, 'RangeError');
    assert.equal(tag(event, 'handled'), 'no');
    assert.equal(tag(event, 'mechanism'), 'auto.node.onuncaughtexception');
    assert.equal(tag(event, 'job'), 'warehouse-sync');
  },
  'node-h-large-gzip': (event) => {
    assert.equal(event.exception?.values[0].value, 'Invoice export failed for batch 2024-06-B');
    // A context is a "large" databag (8 KiB, as in Relay): the 60 KB string arrived whole (its
    // original length is recorded) and is stored cut, ending in "...".
    const raw = event.contexts?.export_payload.raw;
    assert.equal(typeof raw === 'string' ? raw.length : 0, 8171);
    assert.ok(typeof raw === 'string' && raw.endsWith('...'));
    assert.deepEqual(event._meta, {
      contexts: { export_payload: { raw: { '': { rem: [['!limit', 's', 8168, 8171]], len: 61440 } } } },
    });
    const rawResponse = event.extra?.rawResponse;
    assert.equal(typeof rawResponse === 'string' ? rawResponse.length : 0, 1024);
  },
  'browser-click-error': (event) => {
    assert.equal(event.platform, 'javascript');
    assert.equal(event.release, 'shop-web@1.4.2');
    assert.equal(event.user?.ip_address, CLIENT_IP, 'sdk.settings.infer_ip=auto fills in the client address');
    assert.equal(tag(event, 'user'), 'id:u-1842');
    assert.equal(tag(event, 'checkout_flow'), 'express');
    assert.equal(tag(event, 'handled'), 'no');
    assert.match(event.request?.url ?? '', /^http:\/\/127\.0\.0\.1:38431\//);
    assert.equal(event.request?.headers?.[0][0], 'User-Agent');
    assert.equal(event.breadcrumbs?.values[0].category, 'ui.click');
    const frames = event.exception?.values[0].stacktrace?.frames ?? [];
    assert.deepEqual(
      frames.map((f) => [f.filename?.split('/').pop(), f.lineno]),
      [
        ['sentry.bundle.min.js', 495],
        ['checkout.js', 24],
        ['checkout.js', 20],
        ['checkout.js', 14],
      ],
    );
    assert.ok(Array.isArray(event.extra?.arguments));
  },
};
// b is a with another order id; the preflight variant is the same page with an extra header.
expectations['node-b-exception-regroup'] = expectations['node-a-exception'];
expectations['browser-click-error-preflight'] = expectations['browser-click-error'];

describe('real SDK fixtures', function () {
  before(function () {});

  it('finds every captured event item', () => {
    assert.equal(fixtures.length, 9);
  });

  for (const fixture of fixtures) {
    describe(fixture.name, () => {
      const scenario = fixture.name.split('/')[0];
      const event = normalizeEvent(fixture.payload, {
        envelopeEventId: fixture.envelopeEventId,
        receivedAt: fixture.receivedAt,
        sentAt: fixture.sentAt,
        clientIp: CLIENT_IP,
      });

      it('normalizes without errors and without trimming (but the oversized context)', () => {
        assert.equal(event.errors, undefined, JSON.stringify(event.errors));
        if (scenario !== 'node-h-large-gzip')
          assert.equal(event._meta, undefined, JSON.stringify(event._meta));
      });

      it('keeps the ids and the timestamp (sent within a second, so no drift correction)', () => {
        assert.equal(event.event_id, fixture.envelopeEventId);
        assert.equal(event.timestamp, fixture.payload.timestamp);
        assert.equal(event.received, fixture.receivedAt);
        assert.equal(tag(event, 'environment'), 'production');
      });

      it('folds breadcrumbs into {values} and trims os.version', () => {
        if (Array.isArray(fixture.payload.breadcrumbs)) assert.ok(Array.isArray(event.breadcrumbs?.values));
        // Only the node SDK sends an os context (with the trailing newline); browsers' comes from the User-Agent.
        const sent = fixture.payload.contexts as { os?: unknown } | undefined;
        if (sent?.os) assert.equal(event.contexts?.os.version, '12.11');
      });

      const check = expectations[scenario];
      if (check) it('has the fields the scenario describes', () => check(event));
    });
  }

  it('corrects drift when the server clock is an hour ahead of sent_at', () => {
    const fixture = fixtures.find((f) => f.name.startsWith('node-a'));
    assert.ok(fixture);
    const event = normalizeEvent(fixture.payload, {
      receivedAt: fixture.receivedAt + 3600,
      sentAt: fixture.sentAt,
    });
    const expected = (fixture.payload.timestamp as number) + (fixture.receivedAt + 3600 - fixture.sentAt);
    assert.ok(Math.abs(event.timestamp - expected) < 1e-6);
    assert.deepEqual(
      event.errors?.map((e) => e.type),
      ['clock_drift'],
    );
  });
});
