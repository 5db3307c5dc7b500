import type { Services } from './context';
import type { GitHubUser } from './people';

/**
 * What the plugin keeps track of for the polling fallback: the GitHub issues it linked and the
 * projects it works for (their connected repositories' commits are polled).
 */

/** What the poll remembers of a linked GitHub issue: its ETag, state, assignees and newest comment seen. */
export interface LinkedIssue {
  projectId: string;
  etag?: string;
  state?: string;
  /** Its assignees when last seen (unset until the first poll notes them). */
  assignees?: GitHubUser[];
  commentsEtag?: string;
  lastCommentId?: number;
}

/** Notes a linked GitHub issue for the poll (called when one is created or linked). */
export async function rememberLinked(
  services: Services,
  key: string,
  projectId: string,
  known: Pick<LinkedIssue, 'state' | 'lastCommentId'>,
): Promise<void> {
  await services.storage.setIfAbsent(`linked:${key}`, { projectId, ...known } satisfies LinkedIssue);
  await services.storage.setIfAbsent(`project:${projectId}`, true);
}

/** Notes a project the plugin works for (a new issue there), so its repositories' commits are polled. */
export async function rememberProject(services: Services, projectId: string): Promise<void> {
  await services.storage.setIfAbsent(`project:${projectId}`, true);
}
