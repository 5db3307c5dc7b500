import assert from 'node:assert/strict';
import { evaluateRule, type AlertRule, type ChangeFacts, type IssueFacts, type Verdict } from './rules';

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

const FIRE: Verdict = { fire: true };
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
    expected: FIRE,
  },
  {
    name: 'any of several triggers',
    rule: { triggers: [{ id: 'issue.created' }, { id: 'issue.regressed' }] },
    change: regressed,
    expected: FIRE,
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
    expected: FIRE,
  },
  {
    name: 'state change to the wanted status',
    rule: { triggers: [{ id: 'issue.state_changed', to: 'resolved' }] },
    change: resolved,
    expected: FIRE,
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
        c.change ?? created,
        { ...issue, ...c.issue },
        c.lastFiredAt,
        NOW,
      );
      assert.deepEqual(verdict, c.expected);
    });
});
