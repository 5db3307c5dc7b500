import type { Knex } from 'knex';
import {
  PLUGIN_SURFACES,
  PluginError,
  type ChangeOptions,
  type ExternalIssueLink,
  type IssueComment,
  type IssueStatus,
  type Client,
  type IssueSummary,
  type IssuesService,
} from '@faultline/plugin-sdk';
import { BadRequestError } from '../../errors';
import {
  addIssueComment,
  changeIssues,
  commentTextProblem,
  findIssueIdsByExternalKey,
  findIssuesByShortIdInAnyOrganization,
  findIssuesInAnyOrganization,
  formatShortId,
  issueSummaryOf,
  linkExternalIssue,
  listExternalLinks,
  parseShortId,
  resolveAssignee,
  type IssueChange,
  type IssueRow,
} from '../../issues';
import { findMembership } from '../../organizations';
import { actionCaller } from '../action-caller';
import { hookTransaction } from '../storage';
import { parseId } from './ids';

const STATUSES: readonly IssueStatus[] = ['unresolved', 'resolved', 'ignored'];
const MAX_LINK_KEY_CHARS = 200;
const MAX_LINK_URL_CHARS = 2000;
const MAX_LINK_TITLE_CHARS = 500;

function invalid(message: string): PluginError {
  return new PluginError(message, { code: 'invalid_request' });
}

/**
 * `coreServices.issues` for one plugin. Changes go through the same issues-domain functions as the
 * REST API (state rules, change outbox, audit log), recorded with the surface `plugin` unless the
 * plugin names another, and the acting user when the plugin acts for a member of the issue's
 * organization. External links live in the plugin's namespace. Plugins act for the installation, so
 * every organization's issues are reachable; an unknown issue is a `PluginError` with code `not_found`.
 */
export class PluginIssuesService implements IssuesService {
  constructor(
    private readonly root: Knex,
    private readonly pluginId: string,
    private readonly options: { publicUrl: string },
  ) {}

  /** Inside the pipeline's transaction while processEvent runs (PGlite has one connection, held by it). */
  private get knex(): Knex {
    return hookTransaction.getStore() ?? this.root;
  }

  async get(issueId: string): Promise<IssueSummary | undefined> {
    const row = await this.findRow(issueId);
    return row && this.summary(row);
  }

  async updateStatus(
    issueId: string,
    status: IssueStatus,
    options: ChangeOptions = {},
  ): Promise<IssueSummary> {
    if (!STATUSES.includes(status))
      throw invalid(`Unknown status "${String(status)}": use ${STATUSES.join(', ')}`);
    return this.change(issueId, { status }, { status }, options);
  }

  async assign(issueId: string, userId: string | null, options: ChangeOptions = {}): Promise<IssueSummary> {
    const issue = await this.requireRow(issueId);
    let change: IssueChange;
    if (userId === null) change = { assignee: null };
    else {
      const id = parseId(userId);
      if (id === undefined) throw invalid(`Not a user id: "${String(userId)}"`);
      try {
        change = {
          assignee: await resolveAssignee(
            this.knex,
            { id: issue.organization_id, slug: issue.organization_slug },
            `user:${id}`,
          ),
        };
      } catch (error) {
        if (!(error instanceof BadRequestError)) throw error;
        throw new PluginError(
          `User ${userId} is not a member of organization ${issue.organization_slug}, so can't be assigned`,
          { code: 'invalid_assignee' },
        );
      }
    }
    return this.change(issue, change, { assignedTo: userId === null ? null : `user:${userId}` }, options);
  }

  async comment(issueId: string, text: string, options: ChangeOptions = {}): Promise<IssueComment> {
    const issue = await this.requireRow(issueId);
    const problem = typeof text === 'string' ? commentTextProblem(text) : 'is not a string';
    if (problem) throw new PluginError(`The comment ${problem}`, { code: 'invalid_comment' });
    const actor = await this.actorOf(issue, options);
    const row = await addIssueComment(this.knex, {
      issueId: issue.id,
      text,
      actor: { userId: actor.userId, surface: actor.surface },
    });
    return {
      id: String(row.id),
      issueId: String(row.issue_id),
      text: row.text,
      userId: row.user_id === null ? null : String(row.user_id),
      createdAt: new Date(row.created_at).toISOString(),
    };
  }

  async linkExternalIssue(issueId: string, link: ExternalIssueLink): Promise<void> {
    const issue = await this.requireRow(issueId);
    const key = typeof link?.key === 'string' ? link.key.trim() : '';
    if (key === '' || key.length > MAX_LINK_KEY_CHARS)
      throw invalid(`An external issue needs a key of 1 to ${MAX_LINK_KEY_CHARS} characters`);
    if (!isWebUrl(link.url) || link.url.length > MAX_LINK_URL_CHARS)
      throw invalid(`An external issue needs an http(s) url of at most ${MAX_LINK_URL_CHARS} characters`);
    if (
      link.title !== undefined &&
      (typeof link.title !== 'string' || link.title.length > MAX_LINK_TITLE_CHARS)
    )
      throw invalid(`An external issue's title is text of at most ${MAX_LINK_TITLE_CHARS} characters`);
    await linkExternalIssue(this.knex, {
      issueId: issue.id,
      pluginId: this.pluginId,
      key,
      url: link.url,
      title: link.title ?? null,
    });
  }

  async externalIssues(issueId: string): Promise<ExternalIssueLink[]> {
    const issue = await this.requireRow(issueId);
    const rows = await listExternalLinks(this.knex, this.pluginId, issue.id);
    return rows.map((row) => ({
      key: row.key,
      url: row.url,
      ...(row.title === null ? {} : { title: row.title }),
    }));
  }

  async findByExternalIssue(key: string): Promise<IssueSummary[]> {
    if (typeof key !== 'string') return [];
    const ids = await findIssueIdsByExternalKey(this.knex, this.pluginId, key.trim());
    const rows = await findIssuesInAnyOrganization(this.knex, ids);
    return rows.map((row) => this.summary(row));
  }

  async findByShortId(shortId: string): Promise<IssueSummary[]> {
    const parsed = typeof shortId === 'string' ? parseShortId(shortId.trim()) : undefined;
    if (!parsed) return [];
    const rows = await findIssuesByShortIdInAnyOrganization(this.knex, parsed.projectSlug, parsed.shortId);
    return rows.map((row) => this.summary(row));
  }

  private summary(row: IssueRow): IssueSummary {
    return issueSummaryOf(row, this.options.publicUrl);
  }

  private async findRow(issueId: string): Promise<IssueRow | undefined> {
    const id = parseId(issueId);
    if (id === undefined) return undefined;
    const [row] = await findIssuesInAnyOrganization(this.knex, [id]);
    return row;
  }

  private async requireRow(issueId: string): Promise<IssueRow> {
    const row = await this.findRow(issueId);
    if (!row) throw new PluginError(`Issue ${String(issueId)} not found`, { code: 'not_found' });
    return row;
  }

  /**
   * The surface and acting user of a change; the user must be a member of the issue's organization.
   * With `asCaller`, the caller of the issue action running now (only for that action's issue).
   */
  private async actorOf(
    issue: IssueRow,
    options: ChangeOptions,
  ): Promise<{ userId: number | null; surface: Client; email: string | null }> {
    if (options.asCaller === true) {
      const caller = actionCaller.getStore();
      if (!caller || caller.pluginId !== this.pluginId || caller.issueId !== issue.id)
        throw new PluginError(
          `changeOptions.asCaller is valid only for the issue of an issue action while it runs (not issue ${issue.id})`,
          { code: 'invalid_actor' },
        );
      return { userId: caller.userId, surface: caller.surface, email: caller.email };
    }
    const surface = options.surface ?? 'plugin';
    if (!PLUGIN_SURFACES.includes(surface))
      throw invalid(`Unknown surface "${String(surface)}": use ${PLUGIN_SURFACES.join(', ')}`);
    if (options.actorUserId === undefined || options.actorUserId === null)
      return { userId: null, surface, email: null };
    const userId = parseId(options.actorUserId);
    const member =
      userId === undefined ? undefined : await findMembership(this.knex, issue.organization_id, { userId });
    if (!member)
      throw new PluginError(
        `User ${String(options.actorUserId)} is not a member of organization ${issue.organization_slug}`,
        { code: 'invalid_actor' },
      );
    return { userId: userId!, surface, email: member.email };
  }

  private async change(
    issueOrId: string | IssueRow,
    change: IssueChange,
    request: Record<string, unknown>,
    options: ChangeOptions,
  ): Promise<IssueSummary> {
    const issue = typeof issueOrId === 'string' ? await this.requireRow(issueOrId) : issueOrId;
    const actor = await this.actorOf(issue, options);
    await changeIssues(this.knex, {
      organizationId: issue.organization_id,
      issues: [{ id: issue.id, shortId: formatShortId(issue.project_slug, issue.short_id) }],
      change,
      actor: {
        userId: actor.userId,
        surface: actor.surface,
        audit: { userId: actor.userId, email: actor.email, tokenId: null, ip: null, surface: actor.surface },
      },
      request: { ...request, plugin: this.pluginId },
    });
    return (await this.get(String(issue.id)))!;
  }
}

function isWebUrl(text: unknown): text is string {
  if (typeof text !== 'string') return false;
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
