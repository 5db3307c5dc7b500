import type { CodeMapping } from './config';

/** A stack frame as events carry it (Sentry's field names); only what a link needs. */
export interface Frame {
  filename?: string;
  abs_path?: string;
  function?: string;
  lineno?: number;
  in_app?: boolean;
}

/** A release that names a commit (7 to 40 hex digits), so links point at the code that ran. */
const COMMIT = /^[0-9a-f]{7,40}$/i;

/** The commit to link to: the release when it is one (optionally after `name@`), else undefined. */
export function releaseCommit(release: string | undefined): string | undefined {
  const tail = release?.includes('@') ? release.slice(release.lastIndexOf('@') + 1) : release;
  return tail && COMMIT.test(tail) ? tail : undefined;
}

/**
 * The GitHub URL of the frame's line: the first code mapping whose stack root starts the frame's path
 * maps it into the repository, at `commit` when known, else at the mapping's branch. Undefined for a
 * frame no mapping covers (a dependency, a file outside the mapped roots).
 */
export function frameLink(
  webUrl: string,
  repository: string,
  mappings: readonly CodeMapping[],
  frame: Frame,
  commit?: string,
): string | undefined {
  const path = frame.abs_path ?? frame.filename;
  if (!path) return undefined;
  const mapping = mappings.find((m) => path.startsWith(m.stackRoot));
  if (!mapping) return undefined;
  const relative = `${mapping.sourceRoot}${path.slice(mapping.stackRoot.length)}`.replace(/^\/+/, '');
  if (relative === '' || relative.split('/').includes('..')) return undefined;
  const ref = commit ?? mapping.branch;
  const encoded = relative.split('/').map(encodeURIComponent).join('/');
  const line = frame.lineno ? `#L${frame.lineno}` : '';
  return `${webUrl}/${repository}/blob/${encodeURIComponent(ref)}/${encoded}${line}`;
}

/** GitHub's web address for an API base URL: api.github.com → github.com, GHES `/api/v3` → its host. */
export function webUrlOf(baseUrl: string): string {
  const url = new URL(baseUrl);
  if (url.hostname === 'api.github.com') return 'https://github.com';
  return `${url.origin}${url.pathname.replace(/\/api\/v3\/?$/, '').replace(/\/+$/, '')}`;
}
