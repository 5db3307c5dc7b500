import { PluginError, type ExternalIssueLink, type IssueSummary } from '@faultline/plugin-sdk';
import { github } from './client';
import { projectGitHub, requireConnection, splitRepository, type Services } from './context';
import { issueBody, issueTitle, linkComment } from './issue-body';
import { COMMENT_MARKER, externalLink, linkKey, parseIssueReference } from './links';
import { assigneeLoginsOf } from './people';
import { rememberLinked } from './tracked';

/** How long a claim to create an issue holds before another attempt may take over (a crashed run's). */
const CLAIM_MS = 5 * 60_000;

interface Claim {
  /** The GitHub issue, once created. */
  link?: ExternalIssueLink;
  startedAt: number;
}

/**
 * Creates the GitHub issue for a Faultline issue in `repository` (default: the project's first
 * connection) and links it; at most one per Faultline issue and repository, whatever races. A claim
 * in storage (`setIfAbsent`, atomic across processes) makes one caller the creator; the others get the
 * link it made, or are told to retry while it is being created.
 */
export async function createGitHubIssue(
  services: Services,
  issue: IssueSummary,
  options: { repository?: string; labels?: string[]; assignees?: string[] } = {},
): Promise<{ link: ExternalIssueLink; created: boolean }> {
  const gh = await projectGitHub(services, issue.projectId);
  const connection = requireConnection(gh.config, options.repository);
  const claimKey = `claim:${issue.id}:${connection.repository.toLowerCase()}`;
  const existing = await services.storage.get<Claim>(claimKey);
  if (existing?.link) return { link: existing.link, created: false };
  if (!(await services.storage.setIfAbsent(claimKey, { startedAt: Date.now() }))) {
    const claim = await services.storage.get<Claim>(claimKey);
    if (claim?.link) return { link: claim.link, created: false };
    if (claim && Date.now() - claim.startedAt < CLAIM_MS)
      throw new PluginError(
        `A GitHub issue for ${issue.shortId} is being created in ${connection.repository}`,
        {
          code: 'github_issue_in_progress',
        },
      );
    // The claim of a run that died before finishing: take it over.
    await services.storage.set(claimKey, { startedAt: Date.now() });
  }
  try {
    const event = await services.events.latestForIssue(issue.id).catch(() => undefined);
    const { owner, repo } = splitRepository(connection.repository);
    const labels = [...new Set([...connection.labels, ...(options.labels ?? [])])];
    // Without assignees asked for, the GitHub issue starts with the Faultline assignee's linked account.
    const assignees = options.assignees?.length
      ? options.assignees
      : connection.sync.assigneesToGitHub
        ? await assigneeLoginsOf(services, gh, issue)
        : [];
    const { data } = await github(`creating an issue in ${connection.repository}`, () =>
      gh.octokit.rest.issues.create({
        owner,
        repo,
        title: issueTitle(issue),
        body: issueBody(issue, event, connection, gh.webUrl),
        ...(labels.length > 0 ? { labels } : {}),
        ...(assignees.length > 0 ? { assignees } : {}),
      }),
    );
    const link = externalLink(
      { repository: connection.repository, number: data.number },
      data.html_url,
      data.title,
    );
    await services.issues.linkExternalIssue(issue.id, link);
    await rememberLinked(services, link.key, issue.projectId, { state: 'open', lastCommentId: 0 });
    await services.storage.set(claimKey, { startedAt: Date.now(), link } satisfies Claim);
    return { link, created: true };
  } catch (error) {
    // Let the next attempt (a retry of the job, another click) create it.
    await services.storage.delete(claimKey);
    throw error;
  }
}

/**
 * Links an existing GitHub issue (its URL, `owner/name#12`, or `#12` in the project's first
 * connection) to a Faultline issue, with a comment on GitHub carrying the backlink. The repository
 * must be connected to the issue's project.
 */
export async function linkGitHubIssue(
  services: Services,
  issue: IssueSummary,
  reference: string,
): Promise<{ link: ExternalIssueLink }> {
  const gh = await projectGitHub(services, issue.projectId);
  const ref = parseIssueReference(reference, gh.config.connections[0]?.repository);
  if (!ref)
    throw new PluginError(`"${reference}" does not name a GitHub issue: use its URL or owner/name#number`, {
      code: 'invalid_reference',
    });
  const connection = requireConnection(gh.config, ref.repository);
  const { owner, repo } = splitRepository(connection.repository);
  const { data } = await github(`reading ${connection.repository}#${ref.number}`, () =>
    gh.octokit.rest.issues.get({ owner, repo, issue_number: ref.number }),
  );
  const already = (await services.issues.externalIssues(issue.id)).some((l) => l.key === linkKey(ref));
  const link = externalLink(
    { repository: connection.repository, number: ref.number },
    data.html_url,
    data.title,
  );
  await services.issues.linkExternalIssue(issue.id, link);
  await rememberLinked(services, link.key, issue.projectId, { state: data.state });
  if (!already)
    await github(`commenting on ${connection.repository}#${ref.number}`, () =>
      gh.octokit.rest.issues.createComment({
        owner,
        repo,
        issue_number: ref.number,
        body: `${linkComment(issue)}\n${COMMENT_MARKER}`,
      }),
    );
  return { link };
}
