import type { IssueSearchRequest, IssueSort } from '../port';
import type { Comparison, IssueCondition, SearchExpression, TextField, ValuePattern } from '../query/ast';
import { storedTagOf } from '../stored-tags';
import type { AssigneeIds } from './assignees';
import { exactToken, tagToken, TEXT_FIELDS, textToken } from './schema';

/**
 * The search expression as Typesense search parameters: free text to `q`, everything else to
 * `filter_by`. What Typesense can't answer the way the Postgres adapter does throws
 * `NotExpressible`, and the adapter asks Postgres instead.
 */

/** Why a search goes to Postgres: the shape, named for the debug log and the docs. */
export class NotExpressible extends Error {}

export interface TypesenseQuery {
  q: string;
  query_by: string;
  filter_by: string;
  sort_by: string;
  prefix: boolean;
  /** Every word must match: no dropped words, no typos, as the Postgres adapter's words. */
  drop_tokens_threshold: number;
  num_typos: number;
  page: number;
  per_page: number;
  /** Where the asked window starts in the page fetched. */
  skip: number;
}

/** Typesense's largest page. */
export const MAX_PER_PAGE = 250;

const SORT_FIELDS: Record<IssueSort, string> = {
  date: 'last_seen',
  new: 'first_seen',
  freq: 'times_seen',
  user: 'user_count',
};

/** The text keys stored as one token of the whole text (schema.ts), by field. */
const WHOLE_TEXT_FIELDS: Partial<Record<TextField, string>> = {
  platform: 'platform',
  'error.type': 'error_type',
  firstRelease: 'first_release',
};

/**
 * A value in `filter_by`, always between backticks so commas, brackets and `&&` in it are data. A
 * backtick inside can't be written there at all.
 */
export function filterValue(value: string): string {
  if (value.includes('`')) throw new NotExpressible('a value with a backtick');
  return `\`${value}\``;
}

const list = (values: string[]) => `[${values.map(filterValue).join(', ')}]`;

/** `field:=[a, b]`, or `field:!=[a, b]` negated (none of them). */
function oneOf(field: string, values: string[], negated: boolean): string {
  return `${field}:${negated ? '!=' : '='}${list(values)}`;
}

const NEGATED: Record<Comparison, Comparison> = { '>': '<=', '>=': '<', '<': '>=', '<=': '>', '=': '=' };

function compare(field: string, op: Comparison, value: number, negated: boolean): string {
  if (negated && op === '=') return `${field}:!=${value}`;
  return `${field}:${negated ? NEGATED[op] : op}${value}`;
}

function exactValues(values: ValuePattern[], what: string): string[] {
  return values.map((v) => {
    if ('exact' in v) return v.exact;
    throw new NotExpressible(`a * wildcard in ${what}`);
  });
}

/**
 * One leaf, possibly negated. `filter_by` negates only single conditions, so `not` is pushed down to
 * the leaves (De Morgan) and each leaf knows its own opposite.
 */
function leaf(c: IssueCondition, negated: boolean, assignees: AssigneeIds): string {
  switch (c.kind) {
    case 'status':
      return oneOf('status', c.values, negated);
    case 'substatus':
      return oneOf('substatus', c.values, negated);
    case 'level':
      return oneOf('level', c.values, negated);
    case 'assigned':
      return negated
        ? '(assigned_user_id:=0 && assigned_team_id:=0)'
        : '(assigned_user_id:>0 || assigned_team_id:>0)';
    case 'assignee': {
      const parts = c.assignees.map((a) => {
        if ('userId' in a) return compare('assigned_user_id', '=', a.userId, negated);
        if ('nobody' in a) return leaf({ kind: 'assigned' }, !negated, assignees);
        const ids = assignees.get(a);
        if (!ids) throw new NotExpressible('assigned: by email, team or my_teams, not looked up');
        const [field, list] =
          'users' in ids ? ['assigned_user_id', ids.users] : ['assigned_team_id', ids.teams];
        // Nobody of that name: no issue is theirs (ids are positive, so -1 matches nothing).
        return `${field}:${negated ? '!=' : '='}[${(list.length > 0 ? list : [-1]).join(', ')}]`;
      });
      return group(parts, negated ? '&&' : '||');
    }
    case 'tag': {
      const { key, prefix } = storedTagOf(c.key);
      const values = exactValues(c.values, `tag ${c.key}`).map((v) => tagToken(key, prefix + v));
      return oneOf('tags', values, negated);
    }
    case 'has': {
      const { key, prefix } = storedTagOf(c.key);
      if (prefix) throw new NotExpressible(`has:${c.key}`);
      return oneOf('tag_keys', [exactToken(key)], negated);
    }
    case 'text': {
      const field = WHOLE_TEXT_FIELDS[c.field];
      if (!field) throw new NotExpressible(`${c.field}: (only words of it are indexed)`);
      return oneOf(field, exactValues(c.values, c.field).map(textToken), negated);
    }
    case 'unhandled':
      return `is_unhandled:${negated ? '!=' : '='}${c.value}`;
    case 'count':
      return compare(c.field === 'timesSeen' ? 'times_seen' : 'user_count', c.op, c.value, negated);
    case 'time':
      return compare(c.field === 'firstSeen' ? 'first_seen' : 'last_seen', c.op, c.at.getTime(), negated);
    case 'words':
      throw new NotExpressible('free text inside OR or NOT');
    default:
      // linked (external links are no issue change), release:latest, short ids, and the keys
      // Postgres refuses with a 400 (is:for_review, bookmarks:) all go there.
      throw new NotExpressible(c.kind);
  }
}

function group(parts: string[], operator: '&&' | '||'): string {
  if (parts.length === 0) throw new NotExpressible(`an empty ${operator === '&&' ? 'AND' : 'OR'}`);
  return parts.length === 1 ? parts[0] : `(${parts.join(` ${operator} `)})`;
}

function filterOf(expression: SearchExpression, assignees: AssigneeIds, negated = false): string {
  switch (expression.kind) {
    case 'and':
      return group(
        expression.operands.map((e) => filterOf(e, assignees, negated)),
        negated ? '||' : '&&',
      );
    case 'or':
      return group(
        expression.operands.map((e) => filterOf(e, assignees, negated)),
        negated ? '&&' : '||',
      );
    case 'not':
      return filterOf(expression.operand, assignees, !negated);
    default:
      return leaf(expression, negated, assignees);
  }
}

/**
 * Splits the top level into free text and filters. Typesense treats only the last word of `q` as a
 * prefix, while every typed word is one in the Postgres adapter, so one word at most goes to `q`; a
 * phrase (several words in order) has no prefix form there either.
 */
function splitWords(expression: SearchExpression): { word: string | undefined; rest: SearchExpression[] } {
  const operands = expression.kind === 'and' ? expression.operands : [expression];
  const words = operands.filter((e) => e.kind === 'words');
  const rest = operands.filter((e) => e.kind !== 'words');
  if (words.length === 0) return { word: undefined, rest };
  if (words.length > 1) throw new NotExpressible('more than one word of free text');
  const only = words[0] as Extract<IssueCondition, { kind: 'words' }>;
  if (only.shortId) throw new NotExpressible('free text that is also a short id');
  if (only.words.length !== 1) throw new NotExpressible('a phrase of several words');
  return { word: only.words[0], rest };
}

/** The page of `per_page` that holds the whole window, if one of at most MAX_PER_PAGE does. */
function pageOf(limit: number, offset: number): { page: number; per_page: number; skip: number } {
  for (let size = Math.max(limit, 1); size <= MAX_PER_PAGE; size++) {
    const skip = offset % size;
    if (skip + limit <= size) return { page: Math.floor(offset / size) + 1, per_page: size, skip };
  }
  throw new NotExpressible(`a window of ${limit} at ${offset} (pages hold at most ${MAX_PER_PAGE})`);
}

/** `assignees`: the users and teams `assigned:` names, looked up (assignees.ts). */
export function translate(request: IssueSearchRequest, assignees: AssigneeIds = new Map()): TypesenseQuery {
  const { word, rest } = splitWords(request.expression);
  // Visibility first: whatever the search says, only the caller's organizations and projects.
  const visible = [`organization_id:=[${request.organizationIds.join(', ')}]`];
  if (request.projectIds) visible.push(`project_id:=[${request.projectIds.join(', ')}]`);
  const filters = [...visible, ...rest.map((e) => filterOf(e, assignees))];
  return {
    q: word ?? '*',
    query_by: TEXT_FIELDS.join(','),
    filter_by: filters.join(' && '),
    sort_by: `${SORT_FIELDS[request.sort]}:desc,issue_id:desc`,
    prefix: true,
    drop_tokens_threshold: 0,
    num_typos: 0,
    ...pageOf(request.limit, request.offset),
  };
}

/** An empty id list can't be written in filter_by; no organization means nothing to find. */
export function findsNothing(request: IssueSearchRequest): boolean {
  return request.organizationIds.length === 0 || request.projectIds?.length === 0;
}
