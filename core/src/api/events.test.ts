import assert from 'node:assert/strict';
import { describeEachDatabase } from '../testing/databases';
import {
  errorEvent,
  parseLinkHeader,
  seedAccount,
  startApiServer,
  storeEvents,
  type ApiServer,
} from './api-test-kit';

interface EventSummaryJson {
  id: string;
  eventID: string;
  groupID: string;
  projectID: string;
  title: string;
  message: string;
  dateCreated: string;
  dateReceived: string;
  platform: string;
  tags: { key: string; value: string }[];
  user: { id: string | null; email: string | null } | null;
}

interface EntryJson {
  type: string;
  data: Record<string, unknown>;
}

interface EventJson extends EventSummaryJson {
  culprit: string;
  entries: EntryJson[];
  contexts: Record<string, Record<string, unknown>>;
  sdk: { name: string; version: string } | null;
  release: { version: string } | null;
  environment: string | null;
  fingerprints: string[];
  metadata: Record<string, unknown>;
  type: string;
  errors: unknown[];
  size: number;
  previousEventID: string | null;
  nextEventID: string | null;
}

interface FrameJson {
  filename: string;
  function: string;
  lineNo: number;
  colNo: number;
  inApp: boolean;
  context: [number, string][];
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describeEachDatabase('REST API events and tags', (ctx) => {
  let api: ApiServer;
  let token: string;
  let projectId: number;
  let issueId: string;
  /** Event ids, oldest first. */
  const eventIds: string[] = [];

  before(async () => {
    const knex = ctx.db.knex;
    const seeded = await seedAccount(knex, { organization: 'acme', project: 'app', email: 'owner@acme.io' });
    token = seeded.token;
    projectId = seeded.projectId;
    const payloads = ['1', '2', '3', '1', '2'].map((user, i) =>
      errorEvent({
        type: 'TypeError',
        value: 'cart is undefined',
        functionName: 'checkout',
        user: { id: user, email: `u${user}@shop.io` },
        environment: i < 3 ? 'production' : 'staging',
        release: 'shop@2.1.0',
        tags: { region: i % 2 === 0 ? 'eu' : 'us' },
      }),
    );
    for (const p of payloads) eventIds.push(String(p.event_id));
    await storeEvents(knex, projectId, payloads);
    api = await startApiServer(knex);
    const [issue] = (await api.get('/api/0/projects/acme/app/issues/?query=', token)).body as {
      id: string;
    }[];
    issueId = issue.id;
  });

  after(async () => api?.close());

  it("lists an issue's events newest first in Sentry's shape", async () => {
    const answer = await api.get(`/api/0/issues/${issueId}/events/`, token);
    assert.equal(answer.status, 200);
    const events = answer.body as EventSummaryJson[];
    assert.deepEqual(
      events.map((e) => e.id),
      [...eventIds].reverse(),
    );
    const newest = events[0];
    assert.equal(newest.eventID, newest.id);
    assert.equal(newest.groupID, issueId);
    assert.equal(newest.projectID, String(projectId));
    assert.equal(newest.title, 'TypeError: cart is undefined');
    assert.equal(newest.message, 'cart is undefined');
    assert.equal(newest.platform, 'javascript');
    assert.match(newest.dateCreated, ISO);
    assert.match(newest.dateReceived, ISO);
    assert.deepEqual({ id: newest.user?.id, email: newest.user?.email }, { id: '2', email: 'u2@shop.io' });
    const tags = Object.fromEntries(newest.tags.map((t) => [t.key, t.value]));
    assert.equal(tags.environment, 'staging');
    assert.equal(tags.region, 'eu');
    assert.equal(tags.level, 'error');
    const keys = newest.tags.map((t) => t.key);
    assert.deepEqual(keys, [...keys].sort());
  });

  it("paginates an issue's events and filters them by environment", async () => {
    const first = await api.get(`/api/0/issues/${issueId}/events/?per_page=2`, token);
    const ids = (first.body as EventSummaryJson[]).map((e) => e.id);
    let next = parseLinkHeader(first.headers.get('link')).next;
    while (next.results) {
      const page = await api.get(next.url, token);
      ids.push(...(page.body as EventSummaryJson[]).map((e) => e.id));
      next = parseLinkHeader(page.headers.get('link')).next;
    }
    assert.deepEqual(ids, [...eventIds].reverse());
    const staging = (await api.get(`/api/0/issues/${issueId}/events/?environment=staging`, token))
      .body as EventSummaryJson[];
    assert.deepEqual(
      staging.map((e) => e.id),
      [eventIds[4], eventIds[3]],
    );
    const full = (await api.get(`/api/0/issues/${issueId}/events/?full=true&per_page=1`, token))
      .body as EventJson[];
    assert.ok(Array.isArray(full[0].entries));
  });

  it('shows the latest event in full, with entries Sentry clients read', async () => {
    const answer = await api.get(`/api/0/issues/${issueId}/events/latest/`, token);
    assert.equal(answer.status, 200);
    const event = answer.body as EventJson;
    assert.equal(event.id, eventIds[4]);
    assert.equal(event.groupID, issueId);
    assert.equal(event.projectID, String(projectId));
    assert.equal(event.type, 'error');
    assert.match(event.culprit, /checkout/);
    assert.deepEqual(event.release, { version: 'shop@2.1.0' });
    assert.equal(event.environment, 'staging');
    assert.deepEqual(event.sdk, { name: 'sentry.javascript.node', version: '8.0.0' });
    assert.equal(event.contexts.runtime.name, 'node');
    assert.equal(event.metadata.type, 'TypeError');
    assert.ok(event.fingerprints.length > 0 && event.fingerprints.every((h) => /^[0-9a-f]{32}$/.test(h)));
    assert.deepEqual(event.errors, []);
    assert.ok(event.size > 0);
    assert.equal(event.previousEventID, eventIds[3]);
    assert.equal(event.nextEventID, null);

    assert.deepEqual(
      event.entries.map((e) => e.type),
      ['exception', 'breadcrumbs', 'request'],
    );
    const exception = event.entries[0].data as {
      values: {
        type: string;
        value: string;
        mechanism: { handled: boolean };
        stacktrace: { frames: FrameJson[] };
      }[];
      hasSystemFrames: boolean;
      excOmitted: null;
    };
    assert.equal(exception.hasSystemFrames, true);
    assert.equal(exception.excOmitted, null);
    const [value] = exception.values;
    assert.deepEqual(
      [value.type, value.value, value.mechanism.handled],
      ['TypeError', 'cart is undefined', false],
    );
    const appFrame = value.stacktrace.frames[1];
    assert.deepEqual(
      [appFrame.filename, appFrame.function, appFrame.lineNo, appFrame.colNo, appFrame.inApp],
      ['src/checkout.js', 'checkout', 42, 7, true],
    );
    assert.deepEqual(appFrame.context, [
      [41, 'function go() {'],
      [42, '  checkout();'],
      [43, '}'],
    ]);
    const breadcrumbs = event.entries[1].data as {
      values: { message: string; timestamp: string; level: string }[];
    };
    assert.equal(breadcrumbs.values[0].message, 'about to fail');
    assert.match(breadcrumbs.values[0].timestamp, ISO);
    const request = event.entries[2].data as {
      url: string;
      method: string;
      query: [string, string][];
      fragment: string;
    };
    assert.deepEqual(
      [request.url, request.method, request.query, request.fragment],
      ['https://shop.example/cart', 'POST', [['step', '2']], 'top'],
    );
  });

  it('shows a message entry for a message event', async () => {
    const payload = {
      event_id: 'f'.repeat(32),
      level: 'warning',
      platform: 'javascript',
      message: 'disk almost full',
    };
    await storeEvents(ctx.db.knex, projectId, [payload]);
    const event = (await api.get(`/api/0/projects/acme/app/events/${'f'.repeat(32)}/`, token))
      .body as EventJson;
    assert.deepEqual(
      event.entries.map((e) => e.type),
      ['message'],
    );
    assert.equal((event.entries[0].data as { formatted: string }).formatted, 'disk almost full');
    assert.equal(event.type, 'default');
  });

  it('shows the oldest event and an event by id, in its issue or its project', async () => {
    const oldest = (await api.get(`/api/0/issues/${issueId}/events/oldest/`, token)).body as EventJson;
    assert.equal(oldest.id, eventIds[0]);
    assert.equal(oldest.previousEventID, null);
    assert.equal(oldest.nextEventID, eventIds[1]);
    const inIssue = (await api.get(`/api/0/issues/${issueId}/events/${eventIds[2]}/`, token))
      .body as EventJson;
    assert.equal(inIssue.id, eventIds[2]);
    const dashed = eventIds[2].replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-').toUpperCase();
    const inProject = await api.get(`/api/0/projects/acme/app/events/${dashed}/`, token);
    assert.equal(inProject.status, 200);
    const event = inProject.body as EventJson;
    assert.equal(event.id, eventIds[2]);
    assert.equal(event.groupID, issueId);
    assert.ok(event.entries.some((e) => e.type === 'exception'));
  });

  it('answers 404 for unknown and malformed event ids', async () => {
    for (const path of [
      `/api/0/projects/acme/app/events/${'0'.repeat(32)}/`,
      '/api/0/projects/acme/app/events/not-an-id/',
      `/api/0/issues/${issueId}/events/${'0'.repeat(32)}/`,
    ]) {
      assert.equal((await api.get(path, token)).status, 404, path);
    }
  });

  it("summarizes an issue's tags with top values and counts", async () => {
    const answer = await api.get(`/api/0/issues/${issueId}/tags/`, token);
    assert.equal(answer.status, 200);
    const keys = answer.body as {
      key: string;
      name: string;
      totalValues: number;
      uniqueValues: number;
      topValues: {
        key: string;
        name: string;
        value: string;
        count: number;
        firstSeen: string;
        lastSeen: string;
      }[];
    }[];
    const environment = keys.find((k) => k.key === 'environment')!;
    assert.equal(environment.name, 'Environment');
    assert.equal(environment.totalValues, 5);
    assert.deepEqual(
      environment.topValues.map((v) => [v.value, v.count]),
      [
        ['production', 3],
        ['staging', 2],
      ],
    );
    assert.match(environment.topValues[0].firstSeen, ISO);
    const user = keys.find((k) => k.key === 'user')!;
    assert.equal(user.uniqueValues, 3);
    assert.deepEqual(user.topValues[0], { ...user.topValues[0], key: 'user', value: 'id:1', count: 2 });
    const limited = (await api.get(`/api/0/issues/${issueId}/tags/?limit=1`, token)).body as typeof keys;
    assert.ok(limited.every((k) => k.topValues.length === 1));
  });
});
