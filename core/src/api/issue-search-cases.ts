import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import type { IssueSearchIndex } from '../search';
import { errorEvent, seedAccount, startApiServer, storeEvents, type ApiServer } from './api-test-kit';

/** An SDK event whose exception was caught by the app (handled), by a `generic` mechanism. */
function handled(event: Record<string, unknown>): Record<string, unknown> {
  const exception = event.exception as { values: { mechanism: unknown }[] };
  exception.values[0].mechanism = { type: 'generic', handled: true };
  return event;
}

const DAY_SECONDS = 86_400;

/**
 * The issue search conformance suite: three issues, and searches with the issues each must find in
 * list order, run through the REST API against every search adapter (issue-search.test.ts: Postgres;
 * issue-search-typesense.test.ts: Typesense) on both databases. The cases are declared once, here.
 */

/** How a suite's adapter is made once the issues exist, and checked after each search. */
export interface SearchAdapter {
  /** Undefined: the API's default, the Postgres adapter. */
  search?: IssueSearchIndex;
  /** Called after each expectation passed, e.g. to check which index answered. */
  afterSearch?: (query: string) => void;
  close?: () => Promise<void>;
}

/** Each search, and the functions its issues fail in, in the list's order (last seen first). */
export const SEARCH_EXPECTATIONS: [string, string[]][] = [
  // Tags, built-in and the SDK's own, with wildcards, lists and has:
  ['browser.name:Chrome', ['checkout']],
  ['browser.name:chrome', []], // tag values match as sent, case included
  ['release:app@20', []], // and symbols count: not app@2.0
  ['!browser.name:Chrome', ['pay', 'render']],
  ['browser.name:Fire*', ['render']],
  ['browser.name:[Chrome, Firefox]', ['checkout', 'render']],
  ['has:browser.name', ['checkout', 'render']],
  ['!has:browser.name', ['pay']],
  ['customer:"ACME, Inc."', ['render']],
  ['tags[customer]:ACME*', ['render']],
  ['environment:staging', ['render']],
  ['user.id:2', ['checkout']],
  ['release:app@2.0', ['render']],
  ['release:latest', ['checkout']],
  ['firstRelease:APP@2.0', ['render']],
  // Counts and times
  ['timesSeen:>2', ['checkout']],
  ['timesSeen:1', ['pay', 'render']],
  ['userCount:>=2', ['checkout']],
  ['age:-1d', ['checkout', 'pay']],
  ['age:+1d', ['render']],
  ['lastSeen:-30m', ['checkout']],
  ['firstSeen:<2000-01-01', []],
  ['firstSeen:>2000-01-01', ['checkout', 'pay', 'render']],
  // Error fields
  ['error.type:TypeError', ['checkout']],
  ['error.value:*declined*', ['pay']],
  ['error.handled:true', ['pay']],
  ['error.unhandled:true', ['checkout', 'render']],
  ['error.mechanism:generic', ['pay']],
  ['title:rangeerror*', ['render']],
  ['message:undefined', ['checkout']],
  // States and people
  ['is:linked', ['pay']],
  ['is:unlinked', ['checkout', 'render']],
  ['assigned:#acme-team', ['render']],
  ['assigned:my_teams', ['render']],
  ['assigned:none', ['pay']],
  ['assigned:[me, #acme-team]', ['checkout', 'render']],
  ['!assigned:#acme-team', ['checkout', 'pay']],
  ['!assigned:my_teams', ['checkout', 'pay']],
  ['assigned:OWNER@acme.io', ['checkout']],
  ['assigned:nobody@acme.io', []],
  ['!assigned:nobody@acme.io', ['checkout', 'pay', 'render']],
  ['issue:APP-1', ['render']],
  ['app-3', ['checkout']],
  // Free text: words with prefix matching, phrases, any letters
  ['undef', ['checkout']],
  ['CART is', ['checkout']],
  ['"cart is"', ['checkout']],
  ['"is cart"', []],
  ['declin', ['pay']],
  ['überw', ['pay']],
  ['src/pay', ['pay']],
  ['cart undefined level:error', ['checkout']],
  // Boolean structure
  ['error.type:TypeError OR error.type:RangeError', ['checkout', 'render']],
  ['(browser.name:Chrome OR level:warning) !is:linked', ['checkout', 'render']],
  ['browser.name:Chrome OR level:warning is:linked', ['checkout']],
  ['!(is:linked OR is:assigned)', []],
];

/** The suite's hooks and tests, inside a test file's `describeEachDatabase` (for its database). */
export function defineIssueSearchConformance(
  ctx: { db: { knex: Knex } },
  setup: (knex: Knex) => Promise<SearchAdapter>,
): void {
  let api: ApiServer;
  let token: string;
  let adapter: SearchAdapter;

  before(async () => {
    const knex = ctx.db.knex;
    const seeded = await seedAccount(knex, {
      organization: 'acme',
      project: 'app',
      email: 'owner@acme.io',
    });
    token = seeded.token;
    const { projectId } = seeded;
    // render: two days old, Firefox, a customer tag, release 2.0, assigned to the owner's team.
    await storeEvents(
      knex,
      projectId,
      [
        {
          ...errorEvent({
            type: 'RangeError',
            value: 'Invalid array length',
            functionName: 'render',
            level: 'warning',
            environment: 'staging',
            release: 'app@2.0',
            tags: { customer: 'ACME, Inc.' },
          }),
          contexts: { browser: { name: 'Firefox' } },
        },
      ],
      2 * DAY_SECONDS,
    );
    // pay: an hour old, handled, no browser, linked to a GitHub issue.
    await storeEvents(
      knex,
      projectId,
      [
        handled(
          errorEvent({
            type: 'Error',
            value: 'payment declined: Überweisung abgelehnt',
            functionName: 'pay',
          }),
        ),
      ],
      3_600,
    );
    // checkout: now, three events of two users in Chrome, release 1.0.
    await storeEvents(
      knex,
      projectId,
      ['1', '2', '1'].map((user) => ({
        ...errorEvent({
          type: 'TypeError',
          value: 'cart is undefined',
          functionName: 'checkout',
          user: { id: user },
          release: 'app@1.0',
        }),
        contexts: { browser: { name: 'Chrome' } },
      })),
    );
    const ids = Object.fromEntries(
      (
        (await knex('issues').select('id', 'metadata')) as { id: number; metadata: { function: string } }[]
      ).map((row) => [row.metadata.function, row.id]),
    );
    const team = await knex('teams').where({ slug: 'acme-team' }).first('id');
    await knex('issues').where('id', ids.render).update({ assigned_team_id: team.id });
    await knex('issues').where('id', ids.checkout).update({ assigned_user_id: seeded.userId });
    await knex('issue_external_links').insert({
      issue_id: ids.pay,
      plugin_id: 'github',
      key: 'acme/app#1',
      url: 'https://github.example/acme/app/issues/1',
    });
    adapter = await setup(knex);
    api = await startApiServer(knex, { issueSearch: adapter.search });
  });

  after(async () => {
    await api?.close();
    await adapter?.close?.();
  });

  /** The functions the found issues fail in, in the list's order (last seen first). */
  async function search(query: string): Promise<string[]> {
    const answer = await api.get(
      `/api/0/projects/acme/app/issues/?query=${encodeURIComponent(query)}`,
      token,
    );
    assert.equal(answer.status, 200, `${query}: ${JSON.stringify(answer.body)}`);
    return (answer.body as { metadata: { function: string } }[]).map((issue) => issue.metadata.function);
  }

  async function refused(query: string): Promise<string> {
    const answer = await api.get(
      `/api/0/projects/acme/app/issues/?query=${encodeURIComponent(query)}`,
      token,
    );
    assert.equal(answer.status, 400, query);
    return (answer.body as { detail: string }).detail;
  }

  for (const [query, expected] of SEARCH_EXPECTATIONS) {
    it(`finds ${JSON.stringify(query)}`, async () => {
      assert.deepEqual(await search(query), expected);
      adapter.afterSearch?.(query);
    });
  }

  it('answers a malformed search with a 400 that points at the token and suggests', async () => {
    assert.equal(
      await refused('is:unresolved lvl:error'),
      'Invalid search at character 15 ("lvl:error"): unknown key "lvl"; did you mean "level"? (write tags[lvl]:… for a tag of that name)',
    );
    assert.match(
      await refused('timesSeen:>many'),
      /character 1 \("timesSeen:>many"\): "many" is not a number/,
    );
    assert.match(await refused('(level:error'), /"\(" is never closed/);
  });

  it('answers a key whose data Faultline does not keep with a 400 naming it', async () => {
    for (const [query, key] of [
      ['sdk.name:sentry.javascript.node', 'sdk.name'],
      ['url:*cart*', 'url'],
      ['device.family:iPhone', 'device.family'],
      ['level:error OR bookmarks:me', 'bookmarks'],
      ['is:for_review', 'is:for_review'],
    ]) {
      assert.match(await refused(query), new RegExp(`^Search key "${key}" is not supported`), query);
    }
  });

  it('stays fast and correct with hostile wildcards and long input', async () => {
    const started = Date.now();
    assert.deepEqual(await search(`title:${'*a'.repeat(300)}*`), []);
    assert.deepEqual(await search(`culprit:${'%_\\'.repeat(50)}`), []);
    assert.match(await refused('x'.repeat(2_001)), /longer than 2000 characters/);
    assert.ok(Date.now() - started < 10_000);
  });
}
