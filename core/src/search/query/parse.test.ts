import assert from 'node:assert/strict';
import type { SearchExpression } from './ast';
import { SearchSyntaxError } from './errors';
import { parseIssueSearch } from './parse';

const now = new Date('2026-01-10T12:00:00.000Z');
const context = { userId: 7, now };
const ago = (ms: number) => new Date(now.getTime() - ms);
const HOUR = 3_600_000;
const not = (operand: SearchExpression): SearchExpression => ({ kind: 'not', operand });
const and = (...operands: SearchExpression[]): SearchExpression => ({ kind: 'and', operands });
const or = (...operands: SearchExpression[]): SearchExpression => ({ kind: 'or', operands });
const tag = (key: string, ...values: string[]): SearchExpression => ({
  kind: 'tag',
  key,
  values: values.map((exact) => ({ exact })),
});
const unresolved: SearchExpression = { kind: 'status', values: ['unresolved'] };

describe('parseIssueSearch', () => {
  const cases: [string, SearchExpression][] = [
    // Empty searches match everything.
    ['', and()],
    ['   ', and()],
    // is:
    ['is:unresolved', unresolved],
    ['is:archived', { kind: 'status', values: ['ignored'] }],
    ['!is:resolved', not({ kind: 'status', values: ['resolved'] })],
    [
      'is:[resolved, ignored]',
      or({ kind: 'status', values: ['resolved'] }, { kind: 'status', values: ['ignored'] }),
    ],
    ['is:assigned', { kind: 'assigned' }],
    ['is:unassigned', not({ kind: 'assigned' })],
    ['is:linked', { kind: 'linked' }],
    ['is:unlinked', not({ kind: 'linked' })],
    ['is:for_review', { kind: 'forReview' }],
    ['is:regressed', { kind: 'substatus', values: ['regressed'] }],
    ['is:new', { kind: 'substatus', values: ['new'] }],
    // level, assignment, bookmarks
    ['level:warning', { kind: 'level', values: ['warning'] }],
    ['level:error,FATAL', { kind: 'level', values: ['error', 'fatal'] }],
    ['!level:info', not({ kind: 'level', values: ['info'] })],
    ['assigned:me', { kind: 'assignee', assignees: [{ userId: 7 }] }],
    [
      'assigned:[a@b.io, user:3, #backend, my_teams, none]',
      {
        kind: 'assignee',
        assignees: [
          { email: 'a@b.io' },
          { userId: 3 },
          { teamSlug: 'backend' },
          { teamsOf: 7 },
          { nobody: true },
        ],
      },
    ],
    ['assigned_or_suggested:me', { kind: 'assignee', assignees: [{ userId: 7 }] }],
    ['bookmarks:me', { kind: 'bookmarkedBy', userId: 7 }],
    // Tags: built-in tag-shaped keys, any key, explicit tags[…], quotes, wildcards, lists.
    ['environment:production', tag('environment', 'production')],
    ['release:"my app@1.0"', tag('release', 'my app@1.0')],
    ['release:latest', { kind: 'latestRelease' }],
    ['release:[latest, 2.0]', or({ kind: 'latestRelease' }, tag('release', '2.0'))],
    ['browser.name:Chrome', tag('browser.name', 'Chrome')],
    ['browser:Chrome', tag('browser', 'Chrome')],
    ['os:Linux', tag('os', 'Linux')],
    ['tags[lvl]:high', tag('lvl', 'high')],
    ['customer:"ACME, Inc."', tag('customer', 'ACME, Inc.')],
    ['server_name:web-*', { kind: 'tag', key: 'server_name', values: [{ wildcard: ['web-', ''] }] }],
    ['user.email:a@b.io', tag('user.email', 'a@b.io')],
    ['error.mechanism:onerror', tag('mechanism', 'onerror')],
    ['transaction:"GET /cart"', tag('transaction', 'GET /cart')],
    ['has:browser.name', { kind: 'has', key: 'browser.name' }],
    ['!has:user', not({ kind: 'has', key: 'user' })],
    // Text fields
    ['error.type:TypeError', { kind: 'text', field: 'error.type', values: [{ exact: 'TypeError' }] }],
    ['title:*cart*', { kind: 'text', field: 'title', values: [{ wildcard: ['', 'cart', ''] }] }],
    [
      'message:"a \\"quoted\\" word"',
      { kind: 'text', field: 'message', values: [{ exact: 'a "quoted" word' }] },
    ],
    ['firstRelease:1.0', { kind: 'text', field: 'firstRelease', values: [{ exact: '1.0' }] }],
    ['error.handled:false', { kind: 'unhandled', value: true }],
    ['error.unhandled:1', { kind: 'unhandled', value: true }],
    ['issue:APP-12', { kind: 'shortId', ids: [{ projectSlug: 'APP', shortId: 12 }] }],
    // Numbers and times
    ['timesSeen:>100', { kind: 'count', field: 'timesSeen', op: '>', value: 100 }],
    ['userCount:<=1.5k', { kind: 'count', field: 'userCount', op: '<=', value: 1500 }],
    ['timesSeen:7', { kind: 'count', field: 'timesSeen', op: '=', value: 7 }],
    ['age:-24h', { kind: 'time', field: 'firstSeen', op: '>=', at: ago(24 * HOUR) }],
    ['age:+7d', { kind: 'time', field: 'firstSeen', op: '<', at: ago(7 * 24 * HOUR) }],
    ['lastSeen:-30m', { kind: 'time', field: 'lastSeen', op: '>=', at: ago(HOUR / 2) }],
    ['firstSeen:+2w', { kind: 'time', field: 'firstSeen', op: '<', at: ago(14 * 24 * HOUR) }],
    [
      'lastSeen:>2026-01-01T10:00:00Z',
      { kind: 'time', field: 'lastSeen', op: '>', at: new Date('2026-01-01T10:00:00Z') },
    ],
    [
      'firstSeen:<=2026-01-02',
      { kind: 'time', field: 'firstSeen', op: '<=', at: new Date('2026-01-02T00:00:00Z') },
    ],
    [
      'firstSeen:2026-01-02',
      and(
        { kind: 'time', field: 'firstSeen', op: '>=', at: new Date('2026-01-02T00:00:00Z') },
        { kind: 'time', field: 'firstSeen', op: '<', at: new Date('2026-01-03T00:00:00Z') },
      ),
    ],
    // Free text: words, phrases, short ids, URLs
    ['cart', { kind: 'words', words: ['cart'] }],
    ['cart undefined', and({ kind: 'words', words: ['cart'] }, { kind: 'words', words: ['undefined'] })],
    ['"array length"', { kind: 'words', words: ['array', 'length'] }],
    ['src/pay', { kind: 'words', words: ['src', 'pay'] }],
    ['"http://x.io/a b"', { kind: 'words', words: ['http', 'x', 'io', 'a', 'b'] }],
    ['http://x.io', { kind: 'words', words: ['http', 'x', 'io'] }],
    ['app-2', { kind: 'words', words: ['app', '2'], shortId: { projectSlug: 'app', shortId: 2 } }],
    ['Überweisung', { kind: 'words', words: ['Überweisung'] }],
    // Boolean structure: implicit AND, AND binding tighter than OR, parentheses, negation.
    [
      'is:unresolved TypeError level:error',
      and(unresolved, { kind: 'words', words: ['TypeError'] }, { kind: 'level', values: ['error'] }),
    ],
    [
      'level:error OR level:fatal is:unresolved',
      or({ kind: 'level', values: ['error'] }, and({ kind: 'level', values: ['fatal'] }, unresolved)),
    ],
    [
      '(level:error OR level:fatal) AND is:unresolved',
      and(or({ kind: 'level', values: ['error'] }, { kind: 'level', values: ['fatal'] }), unresolved),
    ],
    ['((browser.name:Chrome))', tag('browser.name', 'Chrome')],
    ['!(is:linked OR is:assigned)', not(or({ kind: 'linked' }, { kind: 'assigned' }))],
    ['or and', and({ kind: 'words', words: ['or'] }, { kind: 'words', words: ['and'] })],
  ];
  for (const [query, expected] of cases) {
    it(`parses ${JSON.stringify(query)}`, () => {
      assert.deepEqual(parseIssueSearch(query, context), expected);
    });
  }

  /** The query, then the offending token, where it starts (1-based), and what the message says. */
  const failures: [string, string, number, RegExp][] = [
    ['lvl:error', 'lvl:error', 1, /unknown key "lvl"; did you mean "level"\?/],
    ['is:unresolved Level:error', 'Level:error', 15, /did you mean "level"/],
    ['timeseen:>10', 'timeseen:>10', 1, /did you mean "timesSeen"/],
    ['asigned:me', 'asigned:me', 1, /did you mean "assigned"/],
    ['is:bookmarked', 'is:bookmarked', 1, /is:bookmarked is not a state/],
    ['level:loud', 'level:loud', 1, /level:loud is not a level/],
    ['level:,', 'level:,', 1, /has no value/],
    ['timesSeen:>lots', 'timesSeen:>lots', 1, /"lots" is not a number/],
    ['age:-24y', 'age:-24y', 1, /not a time; use -24h/],
    ['lastSeen:2026-13-45', 'lastSeen:2026-13-45', 1, /not a valid date/],
    ['lastSeen:2026-01-01T10:00', 'lastSeen:2026-01-01T10:00', 1, /compare a date-time/],
    ['error.handled:maybe', 'error.handled:maybe', 1, /not true or false/],
    ['bookmarks:someone', 'bookmarks:someone', 1, /bookmarks:me/],
    ['issue:twelve', 'issue:twelve', 1, /not a short id/],
    ['cart "unclosed', '"unclosed', 6, /never closed/],
    ['browser:[Chrome, Firefox', '[Chrome, Firefox', 9, /list is never closed/],
    ['(is:unresolved', '(', 1, /"\(" is never closed/],
    ['is:unresolved)', ')', 14, /closes no "\("/],
    ['()', '(', 1, /empty parentheses/],
    ['OR level:error', 'OR', 1, /needs a condition on each side/],
    ['level:error OR', 'OR', 13, /needs a condition on each side/],
    ['level:error AND OR is:new', 'AND', 13, /needs a condition on each side/],
    ['---', '---', 1, /needs a letter or digit/],
    ['cart\u0000', '\\u0000', 5, /NUL/],
  ];
  for (const [query, token, position, message] of failures) {
    it(`refuses ${JSON.stringify(query)}, pointing at ${JSON.stringify(token)}`, () => {
      assert.throws(
        () => parseIssueSearch(query, context),
        (error: unknown) => {
          assert.ok(error instanceof SearchSyntaxError, String(error));
          assert.equal(error.status, 400);
          assert.equal(error.token, token);
          assert.equal(error.position + 1, position);
          assert.match(error.message, message);
          assert.ok(
            error.message.startsWith(`Invalid search at character ${position} ("${token}")`),
            error.message,
          );
          return true;
        },
      );
    });
  }

  it('refuses hostile input quickly with a 400, never a stack overflow', () => {
    const started = Date.now();
    const hostile = [
      '*'.repeat(100_000),
      '('.repeat(17) + 'a' + ')'.repeat(17),
      'a'.repeat(1_999) + ' b',
      '"'.repeat(1_999),
      '['.repeat(1_999),
    ];
    for (const query of hostile) {
      assert.throws(() => parseIssueSearch(query, context), SearchSyntaxError, query.slice(0, 20));
    }
    assert.deepEqual(parseIssueSearch('('.repeat(16) + 'a' + ')'.repeat(16), context), {
      kind: 'words',
      words: ['a'],
    });
    assert.ok(Date.now() - started < 1_000);
  });
});
