import type { ExternalIssueLink } from '@faultline/plugin-sdk';

/** A GitHub issue: repository `owner/name` (as configured) and number. */
export interface GitHubIssueRef {
  repository: string;
  number: number;
}

/**
 * The external-link key of a GitHub issue, `github:owner/name#12`. Lower-cased, as GitHub's names are
 * case-insensitive, so a webhook's spelling finds the link the plugin made.
 */
export function linkKey(ref: GitHubIssueRef): string {
  return `github:${ref.repository.toLowerCase()}#${ref.number}`;
}

export function parseLinkKey(key: string): GitHubIssueRef | undefined {
  const match = /^github:([^#\s]+\/[^#\s]+)#(\d+)$/.exec(key);
  return match ? { repository: match[1], number: Number(match[2]) } : undefined;
}

export function externalLink(ref: GitHubIssueRef, url: string, title?: string): ExternalIssueLink {
  return { key: linkKey(ref), url, ...(title ? { title } : {}) };
}

/**
 * What a person types to name an existing GitHub issue: its URL
 * (`https://github.com/acme/api/issues/12`), `acme/api#12`, or `#12` / `12` in `defaultRepository`.
 */
export function parseIssueReference(text: string, defaultRepository?: string): GitHubIssueRef | undefined {
  const trimmed = text.trim();
  const url = /\/([^/\s]+\/[^/\s]+)\/(?:issues|pull)\/(\d+)\/?(?:[#?].*)?$/.exec(trimmed);
  if (/^https?:\/\//.test(trimmed)) return url ? { repository: url[1], number: Number(url[2]) } : undefined;
  const full = /^([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)#(\d+)$/.exec(trimmed);
  if (full) return { repository: full[1], number: Number(full[2]) };
  const bare = /^#?(\d+)$/.exec(trimmed);
  if (bare && defaultRepository) return { repository: defaultRepository, number: Number(bare[1]) };
  return undefined;
}

/**
 * Put in every comment the plugin writes on GitHub, so the webhook or poll that reports it back does
 * not copy it into Faultline again (no echo).
 */
export const COMMENT_MARKER = '<!-- faultline -->';
