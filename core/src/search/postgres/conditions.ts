import type { Knex } from 'knex';
import type {
  AssigneeRef,
  Comparison,
  IssueCondition,
  SearchExpression,
  TextField,
  ValuePattern,
} from '../query/ast';
import { UnsupportedSearchError } from '../query/errors';
import { storedTagOf } from '../stored-tags';
import { tsQueryText } from './ts-query';

/**
 * The search expression as one SQL boolean over `issues i` joined to `projects p`. Every
 * condition is written to be true or false, never NULL, so `NOT` (from `!key:value`,
 * `is:unassigned`) means exactly "the other issues".
 */

type Sql = Knex.Raw;

/** The operators a comparison may use, spelled as SQL: never the user's text. */
const OPERATORS: Record<Comparison, string> = { '>': '>', '>=': '>=', '<': '<', '<=': '<=', '=': '=' };

/** A LIKE pattern matching the literal parts with anything in between. */
function likePattern(parts: string[]): string {
  return parts.map((part) => part.replace(/[\\%_]/g, (c) => `\\${c}`)).join('%');
}

/** Issue columns the text keys read; null where Faultline keeps no such data yet. */
const TEXT_COLUMNS: Record<TextField, string | null> = {
  title: 'i.title',
  culprit: 'i.culprit',
  message: `i.title || ' ' || coalesce(i.metadata->>'value', '')`,
  platform: 'i.platform',
  'error.type': `coalesce(i.metadata->>'type', '')`,
  'error.value': `coalesce(i.metadata->>'value', '')`,
  firstRelease: `coalesce(i.first_release, '')`,
  'sdk.name': null,
  'device.family': null,
  url: null,
};

/** A project's latest release, which `release:latest` names (looked up before the query). */
export interface LatestRelease {
  projectId: number;
  release: string;
}

/** Whether any leaf of the expression is of this kind. */
export function mentions(expression: SearchExpression, kind: IssueCondition['kind']): boolean {
  switch (expression.kind) {
    case 'and':
    case 'or':
      return expression.operands.some((operand) => mentions(operand, kind));
    case 'not':
      return mentions(expression.operand, kind);
    default:
      return expression.kind === kind;
  }
}

export class ConditionSql {
  constructor(
    private readonly knex: Knex,
    /** Each searched project's latest release, when the expression says `release:latest`. */
    private readonly latestReleases: LatestRelease[] = [],
  ) {}

  private raw(sql: string, bindings: Knex.RawBinding[] = []): Sql {
    return this.knex.raw(sql, bindings);
  }

  private join(parts: Sql[], operator: 'AND' | 'OR', empty: 'true' | 'false'): Sql {
    if (parts.length === 0) return this.raw(empty);
    return this.raw(`(${parts.map(() => '?').join(` ${operator} `)})`, parts);
  }

  of(expression: SearchExpression): Sql {
    switch (expression.kind) {
      case 'and':
        return this.join(
          expression.operands.map((e) => this.of(e)),
          'AND',
          'true',
        );
      case 'or':
        return this.join(
          expression.operands.map((e) => this.of(e)),
          'OR',
          'false',
        );
      case 'not':
        return this.raw('NOT ?', [this.of(expression.operand)]);
      default:
        return this.condition(expression);
    }
  }

  private condition(c: IssueCondition): Sql {
    switch (c.kind) {
      case 'status':
        return this.raw('i.status = ANY(?::text[])', [c.values]);
      case 'substatus':
        return this.raw('coalesce(i.substatus = ANY(?::text[]), false)', [c.values]);
      case 'level':
        return this.raw('i.level = ANY(?::text[])', [c.values]);
      case 'assigned':
        return this.raw('(i.assigned_user_id IS NOT NULL OR i.assigned_team_id IS NOT NULL)');
      case 'linked':
        return this.raw('EXISTS (SELECT 1 FROM issue_external_links l WHERE l.issue_id = i.id)');
      case 'forReview':
        throw new UnsupportedSearchError(
          'is:for_review',
          "Faultline doesn't keep which issues were reviewed yet",
        );
      case 'bookmarkedBy':
        throw new UnsupportedSearchError('bookmarks', "Faultline doesn't keep bookmarks yet");
      case 'assignee':
        return this.join(
          c.assignees.map((a) => this.assignee(a)),
          'OR',
          'false',
        );
      case 'tag':
        return this.tag(c.key, c.values);
      case 'has':
        return this.tag(c.key, [{ wildcard: ['', ''] }]);
      case 'latestRelease':
        return this.latestRelease();
      case 'text':
        return this.text(c.field, c.values);
      case 'unhandled':
        return this.raw('i.is_unhandled = ?', [c.value]);
      case 'count':
        return this.raw(`${c.field === 'timesSeen' ? 'i.times_seen' : 'i.user_count'} ${OPERATORS[c.op]} ?`, [
          c.value,
        ]);
      case 'time':
        return this.raw(`${c.field === 'firstSeen' ? 'i.first_seen' : 'i.last_seen'} ${OPERATORS[c.op]} ?`, [
          c.at.toISOString(),
        ]);
      case 'shortId':
        return this.join(
          c.ids.map((id) =>
            this.raw('(lower(p.slug) = lower(?) AND i.short_id = ?)', [id.projectSlug, id.shortId]),
          ),
          'OR',
          'false',
        );
      case 'words': {
        const words = this.raw(
          "i.id IN (SELECT issue_id FROM issue_search_words WHERE words @@ to_tsquery('simple'::regconfig, ?))",
          [tsQueryText(c.words)],
        );
        if (!c.shortId) return words;
        return this.raw('(? OR (lower(p.slug) = lower(?) AND i.short_id = ?))', [
          words,
          c.shortId.projectSlug,
          c.shortId.shortId,
        ]);
      }
    }
  }

  private assignee(a: AssigneeRef): Sql {
    if ('userId' in a) return this.raw('coalesce(i.assigned_user_id = ?, false)', [a.userId]);
    if ('email' in a) {
      return this.raw(
        'coalesce(i.assigned_user_id IN (SELECT u.id FROM users u WHERE lower(u.email) = lower(?)), false)',
        [a.email],
      );
    }
    if ('teamSlug' in a) {
      return this.raw(
        `coalesce(i.assigned_team_id IN (SELECT t.id FROM teams t WHERE t.organization_id = p.organization_id
          AND t.slug = ?), false)`,
        [a.teamSlug],
      );
    }
    if ('teamsOf' in a) {
      return this.raw(
        'coalesce(i.assigned_team_id IN (SELECT tm.team_id FROM team_members tm WHERE tm.user_id = ?), false)',
        [a.teamsOf],
      );
    }
    return this.raw('(i.assigned_user_id IS NULL AND i.assigned_team_id IS NULL)');
  }

  /**
   * The issue has seen its project's latest release. Those are looked up first, in a query of
   * their own: as a subquery naming i.project_id it ran once per row (seconds at 5k issues), and
   * uncorrelated it still wasn't always hashed (over 5 s at 100k).
   */
  private latestRelease(): Sql {
    if (this.latestReleases.length === 0) return this.raw('false');
    return this.raw(
      `EXISTS (SELECT 1 FROM issue_tag_values tv WHERE tv.issue_id = i.id AND tv.key = 'release'
        AND (i.project_id, tv.value) IN (SELECT * FROM unnest(?::int[], ?::text[])))`,
      [this.latestReleases.map((l) => l.projectId), this.latestReleases.map((l) => l.release)],
    );
  }

  /** Any value of the tag matches one of the patterns (exact values compare as stored). */
  private tag(key: string, values: ValuePattern[]): Sql {
    const { key: storedKey, prefix } = storedTagOf(key);
    const matches = values.map((v) =>
      'exact' in v
        ? this.raw('tv.value = ?', [prefix + v.exact])
        : this.raw(`tv.value LIKE ?`, [likePattern([prefix + v.wildcard[0], ...v.wildcard.slice(1)])]),
    );
    return this.raw(
      'EXISTS (SELECT 1 FROM issue_tag_values tv WHERE tv.issue_id = i.id AND tv.key = ? AND ?)',
      [storedKey, this.join(matches, 'OR', 'false')],
    );
  }

  /**
   * Text keys compare case-insensitively: the whole text, or with `*` wildcards; `message:` finds
   * the text anywhere in the message, as Sentry's does.
   */
  private text(field: TextField, values: ValuePattern[]): Sql {
    const column = TEXT_COLUMNS[field];
    if (column === null) {
      throw new UnsupportedSearchError(field, "Faultline doesn't keep it in a searchable form yet");
    }
    const anywhere = field === 'message';
    const patterns = values.map((v) => {
      const parts = 'exact' in v ? [v.exact] : v.wildcard;
      return likePattern(anywhere ? ['', ...parts, ''] : parts);
    });
    return this.raw(`(${column}) ILIKE ANY(?::text[])`, [patterns]);
  }
}
