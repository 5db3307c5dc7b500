import type { AlertRule } from '../api/alert-rules';

type Trigger = AlertRule['conditions'][number];
type Filter = AlertRule['filters'][number];

/** How a rule's triggers combine (`actionMatch`), in words. */
export const ACTION_MATCH_WORDS = { any: 'any of these happens', all: 'all of these happen' } as const;
/** How a rule's filters combine (`filterMatch`), in words. */
export const FILTER_MATCH_WORDS = {
  all: 'all of these hold',
  any: 'any of these holds',
  none: 'none of these holds',
} as const;

const INTERVALS: Record<number, string> = {
  1: 'a minute',
  5: '5 minutes',
  15: '15 minutes',
  60: 'an hour',
  1440: 'a day',
};

/** A rule's trigger in words, as the rules page lists it. */
export function describeTrigger(trigger: Trigger): string {
  switch (trigger.id) {
    case 'issue.created':
      return 'A new issue is created';
    case 'issue.regressed':
      return 'A resolved issue comes back';
    case 'issue.state_changed':
      return trigger.to ? `An issue is marked ${trigger.to}` : "An issue's state changes";
    case 'event_frequency':
      return `An issue is seen more than ${trigger.value} times in ${INTERVALS[trigger.interval]}`;
    case 'event_unique_user_frequency':
      return `More than ${trigger.value} users see an issue in ${INTERVALS[trigger.interval]}`;
  }
}

const LEVEL_MATCH = { eq: 'is', gte: 'is at least', lte: 'is at most' } as const;
const TAG_MATCH = {
  eq: 'is',
  ne: 'is not',
  contains: 'contains',
  starts_with: 'starts with',
  is_set: 'is set',
  not_set: 'is not set',
} as const;

/** A rule's filter in words. */
export function describeFilter(filter: Filter): string {
  switch (filter.id) {
    case 'level':
      return `The level ${LEVEL_MATCH[filter.match]} ${filter.level}`;
    case 'issue_age':
      return `The issue is ${filter.comparison} than ${filter.minutes} minutes`;
    case 'times_seen':
      return `The issue was seen more than ${filter.value} times`;
    case 'environment':
      return `The environment is ${filter.value}`;
    case 'release':
      return `The release is ${filter.value}`;
    case 'tag': {
      const valued = filter.match !== 'is_set' && filter.match !== 'not_set';
      return `The tag ${filter.key} ${TAG_MATCH[filter.match]}${valued ? ` ${filter.value ?? ''}` : ''}`;
    }
    case 'query':
      return `The issue matches ${filter.query}`;
  }
}
