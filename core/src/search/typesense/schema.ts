import { createHash } from 'node:crypto';
import type { CollectionFieldSchema } from 'typesense/lib/Typesense/Collection';
import type { IssueStatus } from '../../issues/types';

/**
 * The Typesense collection of issues: one document per issue, holding what the search language's
 * translatable keys read (filter.ts). Postgres stays the source of truth; a document is rebuilt from
 * the issue's row and tags whenever the change outbox names the issue (indexer.ts).
 */

/**
 * The fields. Values a key matches exactly (tags, tag keys, and the texts `platform:`, `error.type:`
 * and `firstRelease:` compare case-insensitively as a whole) are stored as `exactToken`s: Typesense
 * normalizes string filters (case, and symbols such as `.`, `@`, `=` are dropped unless indexed),
 * so `release:app@2.0` would also find `app@20`; a token of hex digits has nothing to normalize.
 * Ids that may be absent are 0 and `substatus` is `none`, so `!=` on them means "the other issues"
 * as the Postgres adapter's NOT does.
 */
export const ISSUE_FIELDS: CollectionFieldSchema[] = [
  { name: 'issue_id', type: 'int64', sort: true },
  { name: 'organization_id', type: 'int32', facet: true },
  { name: 'project_id', type: 'int32', facet: true },
  { name: 'status', type: 'string', facet: true },
  { name: 'substatus', type: 'string', facet: true },
  { name: 'level', type: 'string', facet: true },
  { name: 'platform', type: 'string', facet: true },
  { name: 'error_type', type: 'string', facet: true },
  { name: 'first_release', type: 'string', facet: true },
  { name: 'assigned_user_id', type: 'int64', facet: true },
  { name: 'assigned_team_id', type: 'int64', facet: true },
  { name: 'is_unhandled', type: 'bool', facet: true },
  { name: 'first_seen', type: 'int64', sort: true },
  { name: 'last_seen', type: 'int64', sort: true },
  { name: 'times_seen', type: 'int32', sort: true },
  { name: 'user_count', type: 'int32', sort: true },
  { name: 'title', type: 'string' },
  { name: 'culprit', type: 'string' },
  { name: 'message', type: 'string' },
  { name: 'tags', type: 'string[]', facet: true },
  { name: 'tag_keys', type: 'string[]', facet: true },
];

/** The fields free text is matched in, as the Postgres adapter's words are. */
export const TEXT_FIELDS = ['title', 'culprit', 'message'] as const;

export function collectionSchema(name: string) {
  return { name, fields: ISSUE_FIELDS, default_sorting_field: 'last_seen' };
}

export interface IssueDocument {
  /** Typesense's document id: the issue id as a string. */
  id: string;
  issue_id: number;
  organization_id: number;
  project_id: number;
  status: IssueStatus;
  substatus: string;
  level: string;
  platform: string;
  error_type: string;
  first_release: string;
  assigned_user_id: number;
  assigned_team_id: number;
  is_unhandled: boolean;
  first_seen: number;
  last_seen: number;
  times_seen: number;
  user_count: number;
  title: string;
  culprit: string;
  message: string;
  tags: string[];
  tag_keys: string[];
}

/** `substatus` of an issue that has none. */
export const NO_SUBSTATUS = 'none';

/** A value matched exactly, as stored and searched: 128 bits of its SHA-256, in hex. */
export function exactToken(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 32);
}

/** A tag as one token of the `tags` field (the key never holds `=`; the value may). */
export function tagToken(key: string, value: string): string {
  return exactToken(`${key}=${value}`);
}

/** A text compared case-insensitively as a whole, as one token. */
export function textToken(value: string): string {
  return exactToken(value.toLowerCase());
}

/** The issue facts a document is built from (the issues domain's row, reduced to what is indexed). */
export interface IndexedIssue {
  id: number;
  organization_id: number;
  project_id: number;
  status: IssueStatus;
  substatus: string | null;
  level: string;
  platform: string;
  metadata: Record<string, unknown>;
  first_release: string | null;
  assigned_user_id: number | null;
  assigned_team_id: number | null;
  is_unhandled: boolean;
  first_seen: Date;
  last_seen: Date;
  times_seen: number;
  user_count: number;
  title: string;
  culprit: string;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

export function issueDocument(issue: IndexedIssue, tags: { key: string; value: string }[]): IssueDocument {
  return {
    id: String(issue.id),
    issue_id: issue.id,
    organization_id: issue.organization_id,
    project_id: issue.project_id,
    status: issue.status,
    substatus: issue.substatus ?? NO_SUBSTATUS,
    level: issue.level,
    platform: textToken(issue.platform),
    error_type: textToken(text(issue.metadata.type)),
    first_release: textToken(issue.first_release ?? ''),
    assigned_user_id: issue.assigned_user_id ?? 0,
    assigned_team_id: issue.assigned_team_id ?? 0,
    is_unhandled: issue.is_unhandled,
    first_seen: new Date(issue.first_seen).getTime(),
    last_seen: new Date(issue.last_seen).getTime(),
    times_seen: issue.times_seen,
    user_count: issue.user_count,
    title: issue.title,
    culprit: issue.culprit,
    message: text(issue.metadata.value),
    tags: tags.map((tag) => tagToken(tag.key, tag.value)),
    tag_keys: [...new Set(tags.map((tag) => exactToken(tag.key)))],
  };
}
