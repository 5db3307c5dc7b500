import { configSchema } from './config';
import { octokitFor } from './client';
import { splitRepository, type Services } from './context';
import { parseLinkKey } from './links';
import type { LinkedIssue } from './tracked';
import { applyGitHubAssignees } from './assignees';
import { applyGitHubComment, applyGitHubState, resolveByCommits } from './sync-in';

/**
 * What the poll remembers of a repository's default branch: its ETag and newest commit seen, once
 * the first poll (`started`) has noted where the history stands.
 */
interface RepositoryCursor {
  etag?: string;
  lastSha?: string;
  started?: boolean;
}

const isNotModified = (error: unknown) => (error as { status?: number })?.status === 304;

/**
 * Conditional GET: `If-None-Match` with the ETag of the last answer, so an unchanged resource costs a
 * 304, which GitHub does not count against the rate limit. Undefined when unchanged.
 */
async function conditional<T>(
  etag: string | undefined,
  call: (headers: Record<string, string>) => Promise<{ data: T; headers: { etag?: string } }>,
): Promise<{ data: T; etag?: string } | undefined> {
  try {
    const { data, headers } = await call(etag ? { 'if-none-match': etag } : {});
    return { data, etag: headers.etag };
  } catch (error) {
    if (isNotModified(error)) return undefined;
    throw error;
  }
}

/**
 * The polling fallback for installations GitHub cannot reach: every minute, for projects with
 * `polling` on, each linked GitHub issue's state, assignees and new comments, and each connected repository's
 * new commits on its default branch, with the same effects as the webhooks. Throws on a GitHub
 * failure (a rate limit), so the scheduler retries the tick with backoff; what was handled before
 * the failure is remembered.
 */
export async function poll(services: Services): Promise<void> {
  for (const key of await services.storage.keys('linked:')) {
    const linked = await services.storage.get<LinkedIssue>(key);
    const ref = parseLinkKey(key.slice('linked:'.length));
    if (!linked || !ref) continue;
    const config = configSchema.parse(await services.config.forProject(linked.projectId));
    if (!config.polling) continue;
    const octokit = octokitFor(config, services.http);
    const { owner, repo } = splitRepository(ref.repository);
    const issue = await conditional(linked.etag, (headers) =>
      octokit.rest.issues.get({ owner, repo, issue_number: ref.number, headers }),
    );
    if (issue) {
      if (linked.state !== undefined && linked.state !== issue.data.state)
        await applyGitHubState(services, ref, issue.data.state as 'open' | 'closed', issue.data.state_reason);
      const assignees = (issue.data.assignees ?? []).map((a) => ({ login: a.login, id: a.id }));
      if (linked.assignees !== undefined)
        await applyGitHubAssignees(services, ref, linked.assignees, assignees);
      Object.assign(linked, { etag: issue.etag, state: issue.data.state, assignees });
      await services.storage.set(key, linked);
    }
    const comments = await conditional(linked.commentsEtag, (headers) =>
      octokit.rest.issues.listComments({ owner, repo, issue_number: ref.number, per_page: 100, headers }),
    );
    if (comments) {
      // The first poll only notes where the conversation stands: older comments are not copied.
      if (linked.lastCommentId !== undefined)
        for (const c of comments.data.filter((c) => c.id > linked.lastCommentId!))
          await applyGitHubComment(services, ref, {
            body: c.body ?? '',
            author: c.user ? { login: c.user.login, id: c.user.id } : undefined,
            url: c.html_url,
          });
      const newest = Math.max(linked.lastCommentId ?? 0, ...comments.data.map((c) => c.id));
      Object.assign(linked, { commentsEtag: comments.etag, lastCommentId: newest });
      await services.storage.set(key, linked);
    }
  }
  await pollCommits(services);
}

async function pollCommits(services: Services): Promise<void> {
  const seen = new Set<string>();
  for (const projectKey of await services.storage.keys('project:')) {
    const config = configSchema.parse(await services.config.forProject(projectKey.slice('project:'.length)));
    if (!config.polling) continue;
    const octokit = octokitFor(config, services.http);
    for (const connection of config.connections) {
      const repository = connection.repository.toLowerCase();
      if (!connection.sync.resolveByCommit || seen.has(repository)) continue;
      seen.add(repository);
      const cursorKey = `commits:${repository}`;
      const cursor = (await services.storage.get<RepositoryCursor>(cursorKey)) ?? {};
      const { owner, repo } = splitRepository(connection.repository);
      const page = await conditional(cursor.etag, (headers) =>
        octokit.rest.repos.listCommits({ owner, repo, per_page: 100, headers }),
      );
      if (!page) continue;
      // Newest first; the first poll only notes the newest commit, older history resolves nothing.
      const fresh: typeof page.data = [];
      for (const commit of page.data) {
        if (commit.sha === cursor.lastSha) break;
        fresh.push(commit);
      }
      if (cursor.started) {
        const commits = fresh
          .reverse()
          .map((c) => ({ id: c.sha, message: c.commit.message, url: c.html_url }));
        await resolveByCommits(services, connection.repository, commits);
      }
      const next: RepositoryCursor = {
        etag: page.etag,
        lastSha: page.data[0]?.sha ?? cursor.lastSha,
        started: true,
      };
      await services.storage.set(cursorKey, next);
    }
  }
}
