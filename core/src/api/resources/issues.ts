import type { Context } from 'koa';
import { z } from 'zod';
import { BadRequestError, NotFoundError } from '../../errors';
import { findIssueById, findIssuesByIds, listIssues, type IssueRow } from '../../issues';
import {
  findMemberIssue,
  findMemberOrganization,
  findMemberProject,
  parseShortId,
  type OrganizationRow,
} from '../access';
import type { ApiCaller } from '../auth';
import { route, type ApiRoute } from '../define-route';
import { parseIssueSearch } from '../issue-search';
import { loadIssueStats } from '../issue-stats';
import { applyIssueChange, issueChangeOf, issueUpdateBody, type IssueUpdateBody } from '../issue-update';
import { pageParams, pageRequest, paginate } from '../pagination';
import type { ApiDependencies } from '../dependencies';
import { serializeAssignee, serializeIssue, serializeIssueDetails } from '../serializers/issue';
import { repeated, single } from '../validation';

/** Sentry's API lists unresolved issues when no `query` is given at all; `query=` (empty) lists all. */
const DEFAULT_SEARCH = 'is:unresolved';

const issueListQuery = z.object({
  ...pageParams,
  query: single(z.string().optional()),
  sort: single(z.enum(['date', 'new', 'freq', 'user']).default('date')),
  statsPeriod: single(z.enum(['', '24h', '14d']).default('24h')),
  environment: repeated(z.string().min(1)),
});

const organizationIssueListQuery = issueListQuery.extend({
  // Sentry: repeated project ids; -1 (or none) means every project.
  project: repeated(z.coerce.number().int()),
});

const bulkUpdateQuery = z.object({ id: repeated(z.coerce.number().int().positive()) });

export function issueRoutes({ knex, config }: ApiDependencies): ApiRoute[] {
  const publicUrl = config.http.publicUrl;

  async function listPage(
    ctx: Context,
    caller: ApiCaller,
    query: z.output<typeof issueListQuery>,
    scope: { organizationIds: number[]; projectIds?: number[] },
  ) {
    const conditions = parseIssueSearch(query.query ?? DEFAULT_SEARCH, { userId: caller.user.id });
    if (query.environment.length > 0) {
      conditions.push({ kind: 'tag', key: 'environment', values: query.environment, negated: false });
    }
    const rows = await paginate(ctx, publicUrl, pageRequest(query), (window) =>
      listIssues(knex, { ...scope, ...window, conditions, sort: query.sort }),
    );
    const stats = query.statsPeriod
      ? await loadIssueStats(
          knex,
          rows.map((r) => r.id),
          [query.statsPeriod],
        )
      : undefined;
    return rows.map((row) => serializeIssue(row, publicUrl, stats?.get(row.id)));
  }

  /** Sentry's bulk update answers with what changed, not with the issues. */
  async function bulkUpdate(
    organization: Pick<OrganizationRow, 'id' | 'slug'>,
    candidates: IssueRow[],
    body: IssueUpdateBody,
  ): Promise<Record<string, unknown> | undefined> {
    if (candidates.length === 0) return undefined;
    const ids = candidates.map((issue) => issue.id);
    await applyIssueChange(knex, ids, await issueChangeOf(knex, organization, body));
    const [first] = await findIssuesByIds(knex, [organization.id], ids);
    return {
      ...(body.status === undefined
        ? {}
        : { status: first.status, statusDetails: {}, substatus: first.substatus }),
      ...(body.assignedTo === undefined ? {} : { assignedTo: serializeAssignee(first) }),
      inbox: null,
    };
  }

  function requireIds(ids: number[]): number[] {
    if (ids.length === 0) {
      throw new BadRequestError(
        'Invalid query parameter `id`: name the issues to update, as ?id=1&id=2',
        'invalid_request',
      );
    }
    return ids;
  }

  async function updateOne(
    caller: ApiCaller,
    idOrShortId: string,
    body: IssueUpdateBody,
    organizationId?: number,
  ) {
    const issue = await findMemberIssue(knex, caller.user.id, idOrShortId, organizationId);
    const organization = { id: issue.organization_id, slug: issue.organization_slug };
    await applyIssueChange(knex, [issue.id], await issueChangeOf(knex, organization, body));
    const updated = await findIssueById(knex, [issue.organization_id], issue.id);
    if (!updated) throw new NotFoundError(`Issue ${idOrShortId} not found`, 'issue_not_found');
    return serializeIssue(updated, publicUrl);
  }

  async function details(issue: IssueRow) {
    const stats = await loadIssueStats(knex, [issue.id], ['24h', '30d']);
    return serializeIssueDetails(issue, publicUrl, stats.get(issue.id) ?? {});
  }

  return [
    route({
      method: 'get',
      path: '/api/0/projects/:organization/:project/issues/',
      scope: 'event:read',
      summary: "A project's issues, searched, sorted and paginated",
      query: issueListQuery,
      handler: async ({ ctx, caller, params, query }) => {
        const project = await findMemberProject(knex, caller.user.id, params.organization, params.project);
        return listPage(ctx, caller, query, {
          organizationIds: [project.organization_id],
          projectIds: [project.id],
        });
      },
    }),
    route({
      method: 'get',
      path: '/api/0/organizations/:organization/issues/',
      scope: 'event:read',
      summary: "An organization's issues (all projects, or those given as ?project=ID)",
      query: organizationIssueListQuery,
      handler: async ({ ctx, caller, params, query }) => {
        const organization = await findMemberOrganization(knex, caller.user.id, params.organization);
        const projectIds =
          query.project.length === 0 || query.project.includes(-1) ? undefined : query.project;
        return listPage(ctx, caller, query, { organizationIds: [organization.id], projectIds });
      },
    }),
    route({
      method: 'put',
      path: '/api/0/projects/:organization/:project/issues/',
      scope: 'event:write',
      summary: "Bulk-updates a project's issues given as ?id=1&id=2",
      query: bulkUpdateQuery,
      body: issueUpdateBody,
      handler: async ({ caller, params, query, body }) => {
        const project = await findMemberProject(knex, caller.user.id, params.organization, params.project);
        const organization = { id: project.organization_id, slug: project.organization_slug };
        const issues = await findIssuesByIds(knex, [organization.id], requireIds(query.id));
        return bulkUpdate(
          organization,
          issues.filter((issue) => issue.project_id === project.id),
          body,
        );
      },
    }),
    route({
      method: 'put',
      path: '/api/0/organizations/:organization/issues/',
      scope: 'event:write',
      summary: "Bulk-updates an organization's issues given as ?id=1&id=2",
      query: bulkUpdateQuery,
      body: issueUpdateBody,
      handler: async ({ caller, params, query, body }) => {
        const organization = await findMemberOrganization(knex, caller.user.id, params.organization);
        return bulkUpdate(
          organization,
          await findIssuesByIds(knex, [organization.id], requireIds(query.id)),
          body,
        );
      },
    }),
    route({
      method: 'get',
      path: '/api/0/issues/:issue/',
      scope: 'event:read',
      summary: 'One issue, by id or short id (APP-3)',
      handler: async ({ caller, params }) =>
        details(await findMemberIssue(knex, caller.user.id, params.issue)),
    }),
    route({
      method: 'get',
      path: '/api/0/organizations/:organization/issues/:issue/',
      scope: 'event:read',
      summary: 'One issue of an organization, by id or short id',
      handler: async ({ caller, params }) => {
        const organization = await findMemberOrganization(knex, caller.user.id, params.organization);
        return details(await findMemberIssue(knex, caller.user.id, params.issue, organization.id));
      },
    }),
    route({
      method: 'put',
      path: '/api/0/issues/:issue/',
      scope: 'event:write',
      summary: "Changes an issue's status and/or assignee",
      body: issueUpdateBody,
      handler: async ({ caller, params, body }) => updateOne(caller, params.issue, body),
    }),
    route({
      method: 'put',
      path: '/api/0/organizations/:organization/issues/:issue/',
      scope: 'event:write',
      summary: "Changes an issue's status and/or assignee",
      body: issueUpdateBody,
      handler: async ({ caller, params, body }) => {
        const organization = await findMemberOrganization(knex, caller.user.id, params.organization);
        return updateOne(caller, params.issue, body, organization.id);
      },
    }),
    route({
      method: 'get',
      path: '/api/0/organizations/:organization/shortids/:shortId/',
      scope: 'event:read',
      summary: 'Resolves a short id such as APP-3 to its issue',
      handler: async ({ caller, params }) => {
        const organization = await findMemberOrganization(knex, caller.user.id, params.organization);
        if (!parseShortId(params.shortId))
          throw new NotFoundError(`Short id ${params.shortId} not found`, 'issue_not_found');
        const issue = await findMemberIssue(knex, caller.user.id, params.shortId, organization.id);
        return {
          organizationSlug: issue.organization_slug,
          projectSlug: issue.project_slug,
          groupId: String(issue.id),
          shortId: serializeIssue(issue, publicUrl).shortId,
          group: serializeIssue(issue, publicUrl),
        };
      },
    }),
  ];
}
