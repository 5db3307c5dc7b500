import assert from 'node:assert/strict';
import { BadRequestError } from '../../errors';
import type { IssueCondition } from './ast';
import { parseIssueSearch } from './parse';

const context = { userId: 7 };

describe('parseIssueSearch', () => {
  const cases: [string, IssueCondition[]][] = [
    ['', []],
    ['   ', []],
    ['is:unresolved', [{ kind: 'status', values: ['unresolved'], negated: false }]],
    ['is:archived', [{ kind: 'status', values: ['ignored'], negated: false }]],
    ['!is:resolved', [{ kind: 'status', values: ['resolved'], negated: true }]],
    ['is:[resolved, ignored]', [{ kind: 'status', values: ['resolved', 'ignored'], negated: false }]],
    ['is:assigned', [{ kind: 'assigned', negated: false }]],
    ['is:unassigned', [{ kind: 'assigned', negated: true }]],
    ['!is:unassigned', [{ kind: 'assigned', negated: false }]],
    ['is:regressed', [{ kind: 'substatus', values: ['regressed'], negated: false }]],
    ['level:warning', [{ kind: 'level', values: ['warning'], negated: false }]],
    ['level:error,FATAL', [{ kind: 'level', values: ['error', 'fatal'], negated: false }]],
    ['!level:info', [{ kind: 'level', values: ['info'], negated: true }]],
    ['environment:production', [{ kind: 'tag', key: 'environment', values: ['production'], negated: false }]],
    ['release:"my app@1.0"', [{ kind: 'tag', key: 'release', values: ['my app@1.0'], negated: false }]],
    ['assigned:me', [{ kind: 'assignee', assignees: [{ userId: 7 }], negated: false }]],
    [
      'assigned:a@b.io,user:3',
      [{ kind: 'assignee', assignees: [{ email: 'a@b.io' }, { userId: 3 }], negated: false }],
    ],
    ['cart undefined', [{ kind: 'text', text: 'cart undefined' }]],
    ['"http://x.io/a b"', [{ kind: 'text', text: 'http://x.io/a b' }]],
    [
      'is:unresolved TypeError level:error cart',
      [
        { kind: 'status', values: ['unresolved'], negated: false },
        { kind: 'level', values: ['error'], negated: false },
        { kind: 'text', text: 'TypeError cart' },
      ],
    ],
  ];
  for (const [query, expected] of cases) {
    it(`parses ${JSON.stringify(query)}`, () => {
      assert.deepEqual(parseIssueSearch(query, context), expected);
    });
  }

  const failures: [string, RegExp][] = [
    ['browser:Chrome', /Unsupported search key "browser"/],
    ['is:bookmarked', /is:bookmarked/],
    ['level:loud', /level:loud/],
    ['http://x.io', /Unsupported search key "http"/],
    ['level:,', /level: has no value/],
  ];
  for (const [query, message] of failures) {
    it(`refuses ${JSON.stringify(query)} with a 400 that names the problem`, () => {
      assert.throws(
        () => parseIssueSearch(query, context),
        (error: unknown) => error instanceof BadRequestError && message.test(error.message),
      );
    });
  }
});
