import { readFileSync } from 'node:fs';
import path from 'node:path';
import { paginate, type FaultlineClient } from '@faultline/api-client';

/** "@acme/Shop API" and "shop-api" are the same name: lower case, runs of other characters as "-". */
const normalize = (name: string): string =>
  name
    .replace(/^@[^/]+\//, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/**
 * The names a workspace goes by: each folder's name and the `name` of the package.json at its root,
 * without an npm scope. A project named like one of them is the workspace's project.
 */
export function workspaceNames(roots: string[]): string[] {
  const names = new Set<string>();
  for (const root of roots) {
    names.add(normalize(path.basename(root)));
    try {
      const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
        name?: unknown;
      };
      if (typeof manifest.name === 'string') names.add(normalize(manifest.name));
    } catch {
      // No package.json, or not JSON: the folder's name is all there is.
    }
  }
  names.delete('');
  return [...names];
}

export interface ProjectChoice {
  /** Project ids to show; empty: every project the token sees. */
  ids: number[];
  /** What the status bar's tooltip says about it. */
  detail: string;
  /** Requests it took. */
  requests: number;
}

/**
 * When no projects are configured: the organization's projects whose slug or name matches a name
 * of the workspace, so a workspace sees its own project's issues rather than every project's
 * (whose frames might happen to share a path suffix with its files). When none matches, every
 * project, as before matching existed.
 */
export async function matchProjects(
  client: FaultlineClient,
  organization: string,
  names: string[],
): Promise<ProjectChoice> {
  const wanted = new Set(names);
  const matched: { id: number; slug: string }[] = [];
  let requests = 0;
  for await (const project of paginate((cursor) => {
    requests++;
    return client.GET('/api/0/organizations/{organization}/projects/', {
      params: { path: { organization }, query: { cursor, limit: 100 } },
    });
  }))
    if (wanted.has(normalize(project.slug)) || wanted.has(normalize(project.name)))
      matched.push({ id: Number(project.id), slug: project.slug });
  if (matched.length === 0)
    return { ids: [], detail: 'every project (none is named like the workspace)', requests };
  return {
    ids: matched.map((p) => p.id),
    detail: `project ${matched.map((p) => p.slug).join(', ')} (named like the workspace)`,
    requests,
  };
}
