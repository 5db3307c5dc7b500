import { BadRequestError } from '../../errors';
import type { IssueStatus } from '../../issues/types';
import type { AssigneeRef, IssueCondition } from './ast';

/**
 * Parses the issue search language Sentry's `query` parameter speaks, the subset Faultline
 * supports: `key:value` filters (comma lists and `[a, b]` lists allowed, `!key:value` negates), and
 * free text, which is matched as one phrase. Pure; each adapter of the `IssueSearchIndex` port
 * (`../port.ts`) translates what it returns.
 */

const IS_STATUS: Record<string, IssueStatus> = {
  unresolved: 'unresolved',
  resolved: 'resolved',
  ignored: 'ignored',
  archived: 'ignored',
};
const IS_SUBSTATUS = new Set(['new', 'ongoing', 'regressed']);
const LEVELS = new Set(['fatal', 'error', 'warning', 'info', 'debug']);
const TAG_KEYS = new Set(['environment', 'release']);
export const SEARCH_KEYS = ['is', 'level', 'environment', 'release', 'assigned'] as const;

export interface SearchContext {
  /** The caller's user id, for `assigned:me`. */
  userId: number;
}

/** Splits on whitespace outside double quotes and brackets. */
function tokenize(query: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let quoted = false;
  let bracketed = false;
  for (const ch of query) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '[') bracketed = true;
    else if (!quoted && ch === ']') bracketed = false;
    if (!quoted && !bracketed && /\s/.test(ch)) {
      if (current !== '') tokens.push(current);
      current = '';
    } else current += ch;
  }
  if (current !== '') tokens.push(current);
  return tokens;
}

function unquote(text: string): string {
  return text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text;
}

/** `a,b`, `[a, b]` and `"a b"` forms of a filter value. */
function splitValues(raw: string): string[] {
  const inner = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
  if (inner.startsWith('"') && inner.endsWith('"') && !inner.slice(1, -1).includes('"'))
    return [inner.slice(1, -1)];
  return inner
    .split(',')
    .map((v) => unquote(v.trim()))
    .filter((v) => v !== '');
}

function isConditions(values: string[], negated: boolean): IssueCondition[] {
  const statuses: IssueStatus[] = [];
  const substatuses: string[] = [];
  const conditions: IssueCondition[] = [];
  for (const value of values) {
    const lower = value.toLowerCase();
    if (lower in IS_STATUS) statuses.push(IS_STATUS[lower]);
    else if (IS_SUBSTATUS.has(lower)) substatuses.push(lower);
    else if (lower === 'assigned' || lower === 'unassigned') {
      conditions.push({ kind: 'assigned', negated: (lower === 'unassigned') !== negated });
    } else {
      throw new BadRequestError(
        `Unsupported search value is:${value}; use is:unresolved, resolved, ignored, archived, assigned, unassigned, new, ongoing or regressed`,
        'invalid_search',
      );
    }
  }
  if (statuses.length > 0) conditions.push({ kind: 'status', values: statuses, negated });
  if (substatuses.length > 0) conditions.push({ kind: 'substatus', values: substatuses, negated });
  return conditions;
}

function assigneeOf(value: string, context: SearchContext): AssigneeRef {
  if (value.toLowerCase() === 'me') return { userId: context.userId };
  const userId = /^(?:user:)?(\d{1,9})$/.exec(value)?.[1];
  return userId ? { userId: Number(userId) } : { email: value };
}

function filterConditions(
  key: string,
  values: string[],
  negated: boolean,
  context: SearchContext,
): IssueCondition[] {
  switch (key) {
    case 'is':
      return isConditions(values, negated);
    case 'level': {
      const levels = values.map((v) => v.toLowerCase());
      const unknown = levels.find((l) => !LEVELS.has(l));
      if (unknown !== undefined) {
        throw new BadRequestError(
          `Unsupported search value level:${unknown}; use fatal, error, warning, info or debug`,
          'invalid_search',
        );
      }
      return [{ kind: 'level', values: levels, negated }];
    }
    case 'assigned':
      return [{ kind: 'assignee', assignees: values.map((v) => assigneeOf(v, context)), negated }];
    default:
      if (TAG_KEYS.has(key)) return [{ kind: 'tag', key, values, negated }];
      throw new BadRequestError(
        `Unsupported search key "${key}" in query; supported keys are ${SEARCH_KEYS.join(', ')} (quote free text that contains a colon)`,
        'invalid_search',
      );
  }
}

/** Turns a search string into conditions (ANDed). Throws a 400 naming an unknown key or value. */
export function parseIssueSearch(query: string, context: SearchContext): IssueCondition[] {
  const conditions: IssueCondition[] = [];
  const text: string[] = [];
  for (const token of tokenize(query)) {
    const filter = /^(!?)([A-Za-z_][\w.]*):(.+)$/s.exec(token);
    if (!filter) {
      text.push(unquote(token));
      continue;
    }
    const [, bang, key, rawValue] = filter;
    const values = splitValues(rawValue);
    if (values.length === 0)
      throw new BadRequestError(`Search filter ${key}: has no value`, 'invalid_search');
    conditions.push(...filterConditions(key.toLowerCase(), values, bang === '!', context));
  }
  const phrase = text.join(' ').trim();
  if (phrase !== '') conditions.push({ kind: 'text', text: phrase });
  return conditions;
}
