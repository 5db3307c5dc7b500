import { distance } from 'fastest-levenshtein';
import { LEVELS } from '../../events/types';
import { parseAssigneeRef, parseShortId } from '../../issues/types';
import type { AssigneeRef, SearchExpression, TextField } from './ast';
import { SearchSyntaxError } from './errors';
import { countOf, listValues, patternOf, splitComparison, timeOf, type ValueSource } from './values';

/**
 * The built-in keys of the language and how each one's value reads. Any other key is a tag
 * (`browser:Chrome`, `tags[any key]:x`), except one that looks like a misspelt built-in.
 */

export interface SearchContext {
  /** The caller's user id, for `me` and `my_teams` (-1 for a token that is no user). */
  userId: number;
  /** What relative times (`-24h`) count back from. */
  now: Date;
}

export interface Filter extends ValueSource {
  key: string;
  value: string;
}

type KeyReader = (filter: Filter, context: SearchContext) => SearchExpression;

const not = (operand: SearchExpression): SearchExpression => ({ kind: 'not', operand });
const anyOf = (operands: SearchExpression[]): SearchExpression =>
  operands.length === 1 ? operands[0] : { kind: 'or', operands };

function fail(filter: Filter, problem: string): never {
  throw new SearchSyntaxError(problem, filter.token, filter.start);
}

const IS_VALUES: Record<string, SearchExpression> = {
  unresolved: { kind: 'status', values: ['unresolved'] },
  resolved: { kind: 'status', values: ['resolved'] },
  ignored: { kind: 'status', values: ['ignored'] },
  archived: { kind: 'status', values: ['ignored'] },
  assigned: { kind: 'assigned' },
  unassigned: not({ kind: 'assigned' }),
  linked: { kind: 'linked' },
  unlinked: not({ kind: 'linked' }),
  for_review: { kind: 'forReview' },
  new: { kind: 'substatus', values: ['new'] },
  ongoing: { kind: 'substatus', values: ['ongoing'] },
  regressed: { kind: 'substatus', values: ['regressed'] },
};

function readIs(filter: Filter): SearchExpression {
  return anyOf(
    listValues(filter.value, filter).map((value) => {
      const found = IS_VALUES[value.toLowerCase()];
      if (!found) fail(filter, `is:${value} is not a state; use is:${Object.keys(IS_VALUES).join(', ')}`);
      return found;
    }),
  );
}

function readLevel(filter: Filter): SearchExpression {
  const levels = listValues(filter.value, filter).map((v) => v.toLowerCase());
  const unknown = levels.find((level) => !(LEVELS as readonly string[]).includes(level));
  if (unknown !== undefined) fail(filter, `level:${unknown} is not a level; use ${LEVELS.join(', ')}`);
  return { kind: 'level', values: levels };
}

function assigneeOf(value: string, context: SearchContext): AssigneeRef {
  const lower = value.toLowerCase();
  if (lower === 'me') return { userId: context.userId };
  if (lower === 'none') return { nobody: true };
  if (lower === 'my_teams') return { teamsOf: context.userId };
  if (value.startsWith('#') && value.length > 1) return { teamSlug: value.slice(1) };
  // `team:ID` is no way to name a team here (`#slug` is): like any other text, it is an email.
  const ref = parseAssigneeRef(value);
  return ref && 'userId' in ref ? ref : { email: value };
}

const readAssigned: KeyReader = (filter, context) => ({
  kind: 'assignee',
  assignees: listValues(filter.value, filter).map((value) => assigneeOf(value, context)),
});

const readBookmarks: KeyReader = (filter, context) => {
  const values = listValues(filter.value, filter);
  if (values.length !== 1 || values[0].toLowerCase() !== 'me') fail(filter, 'use bookmarks:me');
  return { kind: 'bookmarkedBy', userId: context.userId };
};

/** A tag-shaped key: any of the values, `*` wildcards allowed. */
const tagReader =
  (key: string): KeyReader =>
  (filter) => ({ kind: 'tag', key, values: listValues(filter.value, filter).map(patternOf) });

const readRelease: KeyReader = (filter) => {
  const values = listValues(filter.value, filter);
  const latest = values.some((value) => value === 'latest');
  const others = values.filter((value) => value !== 'latest');
  const named: SearchExpression[] =
    others.length > 0 ? [{ kind: 'tag', key: 'release', values: others.map(patternOf) }] : [];
  return anyOf(latest ? [{ kind: 'latestRelease' }, ...named] : named);
};

const textReader =
  (field: TextField): KeyReader =>
  (filter) => ({ kind: 'text', field, values: listValues(filter.value, filter).map(patternOf) });

const countReader =
  (field: 'timesSeen' | 'userCount'): KeyReader =>
  (filter) => {
    const { op, rest } = splitComparison(filter.value);
    return { kind: 'count', field, op, value: countOf(rest, filter) };
  };

/** `age` is Sentry's name for firstSeen read as "how old": `age:-24h` is "first seen in the last 24 h". */
const timeReader =
  (field: 'firstSeen' | 'lastSeen'): KeyReader =>
  (filter, context) => {
    const time = timeOf(filter.value, context.now, filter);
    if (time.relative) return { kind: 'time', field, op: time.sign === '-' ? '>=' : '<', at: time.at };
    if (!time.to) return { kind: 'time', field, op: time.op, at: time.from };
    return {
      kind: 'and',
      operands: [
        { kind: 'time', field, op: '>=', at: time.from },
        { kind: 'time', field, op: '<', at: time.to },
      ],
    };
  };

const TRUE_WORDS = ['true', 'yes', '1'];
const FALSE_WORDS = ['false', 'no', '0'];

function booleanOf(filter: Filter): boolean {
  const value = filter.value.toLowerCase();
  if (TRUE_WORDS.includes(value)) return true;
  if (FALSE_WORDS.includes(value)) return false;
  return fail(filter, `"${filter.value}" is not true or false (also 1/0, yes/no)`);
}

const readHas: KeyReader = (filter) =>
  anyOf(listValues(filter.value, filter).map((key) => ({ kind: 'has', key: tagKeyOf(key) })));

const readShortId: KeyReader = (filter) => ({
  kind: 'shortId',
  ids: listValues(filter.value, filter).map(
    (value) => parseShortId(value) ?? fail(filter, `"${value}" is not a short id such as APP-12`),
  ),
});

/** Keys of the language; each name is matched case-sensitively, as in Sentry. */
const BUILT_IN: Record<string, KeyReader> = {
  is: readIs,
  level: readLevel,
  assigned: readAssigned,
  assigned_or_suggested: readAssigned,
  bookmarks: readBookmarks,
  release: readRelease,
  firstRelease: textReader('firstRelease'),
  environment: tagReader('environment'),
  age: timeReader('firstSeen'),
  firstSeen: timeReader('firstSeen'),
  lastSeen: timeReader('lastSeen'),
  timesSeen: countReader('timesSeen'),
  userCount: countReader('userCount'),
  has: readHas,
  'error.type': textReader('error.type'),
  'error.value': textReader('error.value'),
  'error.handled': (filter) => ({ kind: 'unhandled', value: !booleanOf(filter) }),
  'error.unhandled': (filter) => ({ kind: 'unhandled', value: booleanOf(filter) }),
  'error.mechanism': tagReader('mechanism'),
  issue: readShortId,
  'user.id': tagReader('user.id'),
  'user.email': tagReader('user.email'),
  'user.username': tagReader('user.username'),
  'user.ip': tagReader('user.ip'),
  message: textReader('message'),
  title: textReader('title'),
  culprit: textReader('culprit'),
  platform: textReader('platform'),
  'sdk.name': textReader('sdk.name'),
  'device.family': textReader('device.family'),
  url: textReader('url'),
  'os.name': tagReader('os.name'),
  'browser.name': tagReader('browser.name'),
  transaction: tagReader('transaction'),
};

/** The built-in keys, for help texts and documentation. */
export const SEARCH_KEYS = Object.keys(BUILT_IN);

/**
 * Tag keys Sentry's SDKs send that sit close to a built-in key's spelling; they are tags, never
 * "did you mean" (`os` is not a misspelt `is`).
 */
const COMMON_TAGS = new Set([
  'os',
  'device',
  'browser',
  'runtime',
  'runtime.name',
  'server_name',
  'handled',
  'mechanism',
  'user',
  'logger',
  'url',
  'site',
  'dist',
  'mode',
]);

/** `tags[key]` names a tag explicitly; otherwise the key is the tag key. */
function tagKeyOf(key: string): string {
  const explicit = /^tags\[(.+)\]$/.exec(key);
  return explicit ? explicit[1] : key;
}

/** The built-in key a key is probably a misspelling of (case or up to two edits), if any. */
export function suggestKey(key: string): string | undefined {
  if (COMMON_TAGS.has(key)) return undefined;
  const lower = key.toLowerCase();
  const sameCase = SEARCH_KEYS.find((known) => known.toLowerCase() === lower);
  if (sameCase) return sameCase;
  if (key.length < 3) return undefined;
  const ranked = SEARCH_KEYS.map((known) => ({ known, d: distance(lower, known.toLowerCase()) }))
    .filter(({ d }) => d <= 2)
    .sort((a, b) => a.d - b.d);
  return ranked[0]?.known;
}

/** The condition one `key:value` filter stands for (before `!` negation). */
export function readFilter(filter: Filter, context: SearchContext): SearchExpression {
  const builtIn = Object.hasOwn(BUILT_IN, filter.key) ? BUILT_IN[filter.key] : undefined;
  if (builtIn) return builtIn(filter, context);
  if (!filter.key.startsWith('tags[')) {
    const suggestion = suggestKey(filter.key);
    if (suggestion) {
      fail(
        filter,
        `unknown key "${filter.key}"; did you mean "${suggestion}"? (write tags[${filter.key}]:… for a tag of that name)`,
      );
    }
  }
  return tagReader(tagKeyOf(filter.key))(filter, context);
}
