import assert from 'node:assert/strict';
import {
  evaluateRule,
  tagMatches,
  windowStart,
  type AlertRule,
  type ChangeFacts,
  type EventFacts,
  type Filter,
  type IssueFacts,
  type RuleFacts,
  type Verdict,
  type WindowCounts,
} from './rules';

const NOW = new Date('2026-01-01T12:00:00Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);

const base: AlertRule = {
  id: 1,
  projectId: 1,
  name: 'r',
  actionMatch: 'any',
  filterMatch: 'all',
  triggers: [{ id: 'issue.created' }],
  filters: [],
  actions: [{ plugin: 'webhooks', config: {} }],
  frequencyMinutes: 30,
  digestMinutes: null,
  enabled: true,
};
const issue: IssueFacts = { level: 'error', firstSeen: minutesAgo(10), timesSeen: 5 };
const created: ChangeFacts = { kind: 'created', data: {} };
const regressed: ChangeFacts = { kind: 'regressed', data: {} };
const resolved: ChangeFacts = {
  kind: 'state_changed',
  data: { from: { status: 'unresolved' }, to: { status: 'resolved' } },
};

interface Case {
  name: string;
  rule?: Partial<AlertRule>;
  change?: ChangeFacts;
  issue?: Partial<IssueFacts>;
  lastFiredAt?: Date;
  expected: Verdict;
}

const FIRE: Verdict = { fire: true, trigger: 'issue.created', reason: 'New issue' };
const REGRESSED: Verdict = { fire: true, trigger: 'issue.regressed', reason: 'Regressed' };
const RESOLVED: Verdict = { fire: true, trigger: 'issue.state_changed', reason: 'Marked resolved' };
const no = (reason: Exclude<Verdict, { fire: true }>['reason']): Verdict => ({ fire: false, reason });

const CASES: Case[] = [
  { name: 'new issue fires a new-issue rule', expected: FIRE },
  { name: 'disabled rule never fires', rule: { enabled: false }, expected: no('disabled') },
  { name: 'a rule without actions does not fire', rule: { actions: [] }, expected: no('no_actions') },
  { name: 'regression does not fire a new-issue rule', change: regressed, expected: no('no_trigger') },
  {
    name: 'events counted fires nothing',
    change: { kind: 'events_counted', data: {} },
    expected: no('no_trigger'),
  },
  {
    name: 'regression rule',
    rule: { triggers: [{ id: 'issue.regressed' }] },
    change: regressed,
    expected: REGRESSED,
  },
  {
    name: 'any of several triggers',
    rule: { triggers: [{ id: 'issue.created' }, { id: 'issue.regressed' }] },
    change: regressed,
    expected: REGRESSED,
  },
  {
    name: 'all of two different triggers never matches one change',
    rule: { actionMatch: 'all', triggers: [{ id: 'issue.created' }, { id: 'issue.regressed' }] },
    expected: no('no_trigger'),
  },
  {
    name: 'state change, any status',
    rule: { triggers: [{ id: 'issue.state_changed' }] },
    change: resolved,
    expected: RESOLVED,
  },
  {
    name: 'state change to the wanted status',
    rule: { triggers: [{ id: 'issue.state_changed', to: 'resolved' }] },
    change: resolved,
    expected: RESOLVED,
  },
  {
    name: 'state change to another status',
    rule: { triggers: [{ id: 'issue.state_changed', to: 'ignored' }] },
    change: resolved,
    expected: no('no_trigger'),
  },
  {
    name: 'level eq passes',
    rule: { filters: [{ id: 'level', match: 'eq', level: 'error' }] },
    expected: FIRE,
  },
  {
    name: 'level eq fails',
    rule: { filters: [{ id: 'level', match: 'eq', level: 'fatal' }] },
    expected: no('filtered'),
  },
  {
    name: 'level gte warning passes for error',
    rule: { filters: [{ id: 'level', match: 'gte', level: 'warning' }] },
    expected: FIRE,
  },
  {
    name: 'level gte fatal fails for error',
    rule: { filters: [{ id: 'level', match: 'gte', level: 'fatal' }] },
    expected: no('filtered'),
  },
  {
    name: 'level lte info fails for error',
    rule: { filters: [{ id: 'level', match: 'lte', level: 'info' }] },
    expected: no('filtered'),
  },
  {
    name: 'an unknown level never passes gte',
    rule: { filters: [{ id: 'level', match: 'gte', level: 'debug' }] },
    issue: { level: 'sample' },
    expected: no('filtered'),
  },
  {
    name: 'issue newer than 60 minutes',
    rule: { filters: [{ id: 'issue_age', comparison: 'newer', minutes: 60 }] },
    expected: FIRE,
  },
  {
    name: 'issue older than 60 minutes fails for a 10-minute-old issue',
    rule: { filters: [{ id: 'issue_age', comparison: 'older', minutes: 60 }] },
    expected: no('filtered'),
  },
  {
    name: 'issue older than 60 minutes passes for a day-old issue',
    rule: { filters: [{ id: 'issue_age', comparison: 'older', minutes: 60 }] },
    issue: { firstSeen: minutesAgo(1440) },
    expected: FIRE,
  },
  {
    name: 'times seen at least 5',
    rule: { filters: [{ id: 'times_seen', value: 5 }] },
    expected: FIRE,
  },
  {
    name: 'times seen at least 6 fails',
    rule: { filters: [{ id: 'times_seen', value: 6 }] },
    expected: no('filtered'),
  },
  {
    name: 'filterMatch all: one failing filter filters',
    rule: {
      filters: [
        { id: 'times_seen', value: 1 },
        { id: 'level', match: 'eq', level: 'fatal' },
      ],
    },
    expected: no('filtered'),
  },
  {
    name: 'filterMatch any: one passing filter is enough',
    rule: {
      filterMatch: 'any',
      filters: [
        { id: 'times_seen', value: 1 },
        { id: 'level', match: 'eq', level: 'fatal' },
      ],
    },
    expected: FIRE,
  },
  {
    name: 'filterMatch none: a passing filter filters',
    rule: { filterMatch: 'none', filters: [{ id: 'level', match: 'eq', level: 'error' }] },
    expected: no('filtered'),
  },
  {
    name: 'filterMatch none: no passing filter fires',
    rule: { filterMatch: 'none', filters: [{ id: 'level', match: 'eq', level: 'fatal' }] },
    expected: FIRE,
  },
  {
    name: 'fired 10 minutes ago, interval 30: suppressed',
    lastFiredAt: minutesAgo(10),
    expected: no('interval'),
  },
  { name: 'fired 30 minutes ago, interval 30: fires', lastFiredAt: minutesAgo(30), expected: FIRE },
  {
    name: 'interval 0 never suppresses',
    rule: { frequencyMinutes: 0 },
    lastFiredAt: NOW,
    expected: FIRE,
  },
  {
    name: 'filters are checked before the interval',
    rule: { filters: [{ id: 'times_seen', value: 100 }] },
    lastFiredAt: minutesAgo(1),
    expected: no('filtered'),
  },
];

describe('alert rule evaluation', () => {
  for (const c of CASES)
    it(c.name, () => {
      const verdict = evaluateRule(
        { ...base, ...c.rule },
        { change: c.change ?? created, issue: { ...issue, ...c.issue } },
        c.lastFiredAt,
        NOW,
      );
      assert.deepEqual(verdict, c.expected);
    });
});

const EVENT: EventFacts = {
  environment: 'production',
  release: 'api@1.4.0',
  tags: [
    ['browser', 'Chrome 120'],
    ['Region', 'EU-West'],
    ['server_name', 'web-1'],
  ],
};

interface FilterCase {
  name: string;
  filter: Filter;
  /** Undefined: no event is known. */
  event?: EventFacts;
  passes: boolean;
}

const FILTER_CASES: FilterCase[] = [
  {
    name: 'environment equal',
    filter: { id: 'environment', value: 'production' },
    event: EVENT,
    passes: true,
  },
  {
    name: 'environment differs',
    filter: { id: 'environment', value: 'staging' },
    event: EVENT,
    passes: false,
  },
  { name: 'environment without an event', filter: { id: 'environment', value: 'production' }, passes: false },
  { name: 'release equal', filter: { id: 'release', value: 'api@1.4.0' }, event: EVENT, passes: true },
  { name: 'release differs', filter: { id: 'release', value: 'api@1.3.9' }, event: EVENT, passes: false },
  {
    name: 'release of an event without one',
    filter: { id: 'release', value: 'api@1.4.0' },
    event: { ...EVENT, release: null },
    passes: false,
  },
  {
    name: 'tag eq',
    filter: { id: 'tag', key: 'browser', match: 'eq', value: 'Chrome 120' },
    event: EVENT,
    passes: true,
  },
  {
    name: 'tag eq ignores case of key and value',
    filter: { id: 'tag', key: 'region', match: 'eq', value: 'eu-west' },
    event: EVENT,
    passes: true,
  },
  {
    name: 'tag eq, other value',
    filter: { id: 'tag', key: 'browser', match: 'eq', value: 'Firefox' },
    event: EVENT,
    passes: false,
  },
  {
    name: 'tag ne, other value',
    filter: { id: 'tag', key: 'browser', match: 'ne', value: 'Firefox' },
    event: EVENT,
    passes: true,
  },
  {
    name: 'tag ne, same value',
    filter: { id: 'tag', key: 'browser', match: 'ne', value: 'chrome 120' },
    event: EVENT,
    passes: false,
  },
  {
    name: 'tag ne, tag absent',
    filter: { id: 'tag', key: 'os', match: 'ne', value: 'Linux' },
    event: EVENT,
    passes: true,
  },
  {
    name: 'tag contains',
    filter: { id: 'tag', key: 'browser', match: 'contains', value: 'rome' },
    event: EVENT,
    passes: true,
  },
  {
    name: 'tag contains, no',
    filter: { id: 'tag', key: 'browser', match: 'contains', value: 'fox' },
    event: EVENT,
    passes: false,
  },
  {
    name: 'tag starts_with',
    filter: { id: 'tag', key: 'server_name', match: 'starts_with', value: 'web-' },
    event: EVENT,
    passes: true,
  },
  {
    name: 'tag starts_with, no',
    filter: { id: 'tag', key: 'server_name', match: 'starts_with', value: 'db-' },
    event: EVENT,
    passes: false,
  },
  {
    name: 'tag is_set',
    filter: { id: 'tag', key: 'server_name', match: 'is_set' },
    event: EVENT,
    passes: true,
  },
  {
    name: 'tag is_set, absent',
    filter: { id: 'tag', key: 'os', match: 'is_set' },
    event: EVENT,
    passes: false,
  },
  {
    name: 'tag not_set, absent',
    filter: { id: 'tag', key: 'os', match: 'not_set' },
    event: EVENT,
    passes: true,
  },
  {
    name: 'tag not_set, present',
    filter: { id: 'tag', key: 'browser', match: 'not_set' },
    event: EVENT,
    passes: false,
  },
  {
    name: 'tag not_set without an event',
    filter: { id: 'tag', key: 'browser', match: 'not_set' },
    passes: true,
  },
  {
    name: 'tag eq without an event',
    filter: { id: 'tag', key: 'browser', match: 'eq', value: 'x' },
    passes: false,
  },
];

describe('alert rule event filters', () => {
  for (const c of FILTER_CASES)
    it(c.name, () => {
      const verdict = evaluateRule(
        { ...base, filters: [c.filter] },
        { change: created, issue, event: c.event },
        undefined,
        NOW,
      );
      assert.equal(verdict.fire, c.passes, JSON.stringify(verdict));
    });

  it('a tag can carry several values under one key', () => {
    const tags: [string, string][] = [
      ['team', 'web'],
      ['team', 'payments'],
    ];
    assert.equal(tagMatches({ id: 'tag', key: 'team', match: 'eq', value: 'payments' }, tags), true);
    assert.equal(tagMatches({ id: 'tag', key: 'team', match: 'ne', value: 'payments' }, tags), false);
  });
});

interface FrequencyCase {
  name: string;
  rule: Partial<AlertRule>;
  counts?: WindowCounts;
  change?: ChangeFacts;
  expected: Verdict;
}

const FREQUENCY_CASES: FrequencyCase[] = [
  {
    name: 'more than N events in the window fires, with the count in the reason',
    rule: { triggers: [{ id: 'event_frequency', value: 100, interval: 5 }] },
    counts: { 5: { events: 120, users: 3 } },
    expected: { fire: true, trigger: 'event_frequency', reason: 'Seen 120 times in 5 minutes' },
  },
  {
    name: 'exactly N events is not more than N',
    rule: { triggers: [{ id: 'event_frequency', value: 100, interval: 5 }] },
    counts: { 5: { events: 100, users: 3 } },
    expected: no('no_trigger'),
  },
  {
    name: 'counts of another window do not count',
    rule: { triggers: [{ id: 'event_frequency', value: 10, interval: 1 }] },
    counts: { 60: { events: 500, users: 3 } },
    expected: no('no_trigger'),
  },
  {
    name: 'more than N distinct users',
    rule: { triggers: [{ id: 'event_unique_user_frequency', value: 2, interval: 60 }] },
    counts: { 60: { events: 10, users: 3 } },
    expected: { fire: true, trigger: 'event_unique_user_frequency', reason: '3 users affected in 1 hour' },
  },
  {
    name: 'users at the threshold',
    rule: { triggers: [{ id: 'event_unique_user_frequency', value: 3, interval: 1440 }] },
    counts: { 1440: { events: 10, users: 3 } },
    expected: no('no_trigger'),
  },
  {
    name: 'a frequency rule ignores changes',
    rule: { triggers: [{ id: 'event_frequency', value: 0, interval: 1 }] },
    change: created,
    expected: no('no_trigger'),
  },
  {
    name: 'all of a frequency and a change trigger never fires',
    rule: {
      actionMatch: 'all',
      triggers: [{ id: 'event_frequency', value: 0, interval: 1 }, { id: 'issue.created' }],
    },
    counts: { 1: { events: 5, users: 0 } },
    expected: no('no_trigger'),
  },
  {
    name: 'all of two frequency triggers that hold',
    rule: {
      actionMatch: 'all',
      triggers: [
        { id: 'event_frequency', value: 1, interval: 1 },
        { id: 'event_unique_user_frequency', value: 1, interval: 15 },
      ],
    },
    counts: { 1: { events: 5, users: 1 }, 15: { events: 9, users: 2 } },
    expected: { fire: true, trigger: 'event_frequency', reason: 'Seen 5 times in 1 minute' },
  },
  {
    name: 'a frequency fire is filtered like any other',
    rule: {
      triggers: [{ id: 'event_frequency', value: 1, interval: 1 }],
      filters: [{ id: 'level', match: 'eq', level: 'fatal' }],
    },
    counts: { 1: { events: 5, users: 0 } },
    expected: no('filtered'),
  },
];

describe('alert rule frequency triggers', () => {
  for (const c of FREQUENCY_CASES)
    it(c.name, () => {
      const facts: RuleFacts = { issue, counts: c.counts, change: c.change };
      assert.deepEqual(evaluateRule({ ...base, ...c.rule }, facts, undefined, NOW), c.expected);
    });

  it('a window is the last M whole minutes plus the current one', () => {
    const now = new Date('2026-01-01T12:05:42Z');
    assert.equal(windowStart(now, 1).toISOString(), '2026-01-01T12:04:00.000Z');
    assert.equal(windowStart(now, 60).toISOString(), '2026-01-01T11:05:00.000Z');
  });
});
