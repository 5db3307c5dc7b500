import { z } from 'zod';
import { BadRequestError, NotFoundError } from '../../errors';
import {
  changeIssues as changeIssuesInDomain,
  ISSUE_STATUSES,
  countIssueComments,
  findIssueById,
  findIssuesByIds,
  findLatestEventRelease,
  formatShortId,
  type IssueRow,
  parseShortId,
} from '../../issues';
import type { Context as KoaContext } from 'koa';
import { canSeeProject, projectsInScope, type OrganizationAccess } from '../../organizations';
import { auditActor } from '../audit-actor';
import type { ApiCaller } from '../auth';
import { route, type ApiRoute } from '../define-route';
import { loadIssueStats } from '../issue-stats';
import { issueChangeOf, issueUpdateBody, type IssueUpdateBody } from '../issue-update';
import { pageParams, pageRequest, paginate } from '../pagination';
import type { ApiDependencies } from '../dependencies';
import {
  sentryActorSchema,
  sentryIssueDetailsSchema,
  sentryIssueSchema,
  serializeAssignee,
  serializeIssue,
  serializeIssueDetails,
} from '../serializers/issue';
import { repeated, single } from '../validation';
import { PostgresIssueSearch, parseIssueSearch, type SearchExpression } from '../../search';

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

/** What Sentry's bulk update answers: the fields it changed, as the first issue now has them. */
const bulkUpdateAnswer = z
  .strictObject({
    status: z.enum(ISSUE_STATUSES).optional(),
    statusDetails: z.strictObject({}).optional(),
    substatus: z.string().nullable().optional(),
    assignedTo: sentryActorSchema.nullable().optional(),
    inbox: z.null(),
  })
  .meta({ id: 'IssueBulkUpdate' });

/** Sentry's answer to resolving a short id: where the issue lives, and the issue. */
const shortIdAnswer = z
  .strictObject({
    organizationSlug: z.string(),
    projectSlug: z.string(),
    groupId: z.string(),
    shortId: z.string(),
    group: sentryIssueSchema,
  })
  .meta({ id: 'ShortIdLookup' });

const bulkUpdateQuery = z.object({ id: repeated(z.coerce.number().int().positive()) });

export function issueRoutes({ knex, config, issueSearch }: ApiDependencies): ApiRoute[] {
  const publicUrl = config.http.publicUrl;
  const search = issueSearch ?? new PostgresIssueSearch(knex);

  /** The rows of a search's page, in the order the search ranked them. */
  async function searchIssues(request: Parameters<typeof search.search>[0]): Promise<IssueRow[]> {
    const ids = await search.search(request);
    const rows = new Map(
      (await findIssuesByIds(knex, request.organizationIds, ids)).map((row) => [row.id, row]),
    );
    // An issue deleted between the two reads is simply left out of the page.
    return ids.flatMap((id) => rows.get(id) ?? []);
  }

  async function listPage(
    ctx: KoaContext,
    caller: ApiCaller,
    query: z.output<typeof issueListQuery>,
    scope: { organizationIds: number[]; projectIds?: number[] },
  ) {
    // A service token is no user: `assigned:me` then matches nobody.
    const searched = parseIssueSearch(query.query ?? DEFAULT_SEARCH, {
      userId: caller.user?.id ?? -1,
      now: new Date(),
    });
    const expression: SearchExpression =
      query.environment.length === 0
        ? searched
        : {
            kind: 'and',
            operands: [
              searched,
              { kind: 'tag', key: 'environment', values: query.environment.map((exact) => ({ exact })) },
            ],
          };
    const rows = await paginate(ctx, publicUrl, pageRequest(query), (window) =>
      searchIssues({ ...scope, ...window, expression, sort: query.sort }),
    );
    const ids = rows.map((r) => r.id);
    const stats = query.statsPeriod ? await loadIssueStats(knex, ids, [query.statsPeriod]) : undefined;
    const comments = await countIssueComments(knex, ids);
    return rows.map((row) =>
      serializeIssue(row, publicUrl, { stats: stats?.get(row.id), numComments: comments.get(row.id) }),
    );
  }

  /** Applies the change through the issues domain (state rules, change outbox, audit log, one transaction). */
  async function changeIssues(
    ctx: KoaContext,
    caller: ApiCaller,
    organization: { id: number; slug: string },
    issues: IssueRow[],
    body: IssueUpdateBody,
  ): Promise<void> {
    await changeIssuesInDomain(knex, {
      organizationId: organization.id,
      issues: issues.map((issue) => ({
        id: issue.id,
        shortId: formatShortId(issue.project_slug, issue.short_id),
      })),
      change: await issueChangeOf(knex, organization, body),
      actor: { userId: caller.user?.id ?? null, surface: caller.client, audit: auditActor(ctx, caller) },
      request: body,
    });
  }

  /** Sentry's bulk update answers with what changed, not with the issues. */
  async function bulkUpdate(
    ctx: KoaContext,
    caller: ApiCaller,
    access: OrganizationAccess,
    candidates: IssueRow[],
    body: IssueUpdateBody,
  ): Promise<z.input<typeof bulkUpdateAnswer> | undefined> {
    const organization = access.organization;
    const visible = candidates.filter((issue) => canSeeProject(access, issue.project_id));
    if (visible.length === 0) return undefined;
    const ids = visible.map((issue) => issue.id);
    await changeIssues(ctx, caller, organization, visible, body);
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

  async function updateOne(ctx: KoaContext, caller: ApiCaller, issue: IssueRow, body: IssueUpdateBody) {
    const organization = { id: issue.organization_id, slug: issue.organization_slug };
    await changeIssues(ctx, caller, organization, [issue], body);
    const updated = await findIssueById(knex, [issue.organization_id], issue.id);
    if (!updated) throw new NotFoundError(`Issue ${issue.id} not found`, 'issue_not_found');
    return serializeWithComments(updated);
  }

  async function serializeWithComments(issue: IssueRow) {
    const comments = await countIssueComments(knex, [issue.id]);
    return serializeIssue(issue, publicUrl, { numComments: comments.get(issue.id) });
  }

  async function details(issue: IssueRow) {
    const stats = await loadIssueStats(knex, [issue.id], ['24h', '30d']);
    const comments = await countIssueComments(knex, [issue.id]);
    return serializeIssueDetails(issue, publicUrl, {
      stats: stats.get(issue.id) ?? {},
      numComments: comments.get(issue.id) ?? 0,
      lastRelease: await findLatestEventRelease(knex, issue.id),
    });
  }

  return [
    route({
      method: 'get',
      path: '/api/0/projects/:organization/:project/issues/',
      scope: 'event:read',
      resource: 'project',
      summary: "A project's issues, searched, sorted and paginated",
      query: issueListQuery,
      response: z.array(sentryIssueSchema),
      handler: async ({ ctx, caller, target: { project }, query }) => {
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
      resource: 'organization',
      summary: "An organization's issues (all projects the caller may see, or those given as ?project=ID)",
      query: organizationIssueListQuery,
      response: z.array(sentryIssueSchema),
      handler: async ({ ctx, caller, target: { access }, query }) => {
        const projectIds = projectsInScope(access, query.project);
        return listPage(ctx, caller, query, { organizationIds: [access.organization.id], projectIds });
      },
    }),
    route({
      method: 'put',
      path: '/api/0/projects/:organization/:project/issues/',
      scope: 'event:write',
      resource: 'project',
      summary: "Bulk-updates a project's issues given as ?id=1&id=2",
      query: bulkUpdateQuery,
      body: issueUpdateBody,
      response: bulkUpdateAnswer,
      orNoContent: true,
      handler: async ({ ctx, caller, target: { access, project }, query, body }) => {
        const issues = await findIssuesByIds(knex, [access.organization.id], requireIds(query.id));
        return bulkUpdate(
          ctx,
          caller,
          access,
          issues.filter((issue) => issue.project_id === project.id),
          body,
        );
      },
    }),
    route({
      method: 'put',
      path: '/api/0/organizations/:organization/issues/',
      scope: 'event:write',
      resource: 'organization',
      summary: "Bulk-updates an organization's issues given as ?id=1&id=2",
      query: bulkUpdateQuery,
      body: issueUpdateBody,
      response: bulkUpdateAnswer,
      orNoContent: true,
      handler: async ({ ctx, caller, target: { access }, query, body }) => {
        return bulkUpdate(
          ctx,
          caller,
          access,
          await findIssuesByIds(knex, [access.organization.id], requireIds(query.id)),
          body,
        );
      },
    }),
    route({
      method: 'get',
      path: '/api/0/issues/:issue/',
      scope: 'event:read',
      resource: 'issue',
      summary: 'One issue, by id or short id (APP-3)',
      response: sentryIssueDetailsSchema,
      handler: async ({ target }) => details(target.issue),
    }),
    route({
      method: 'get',
      path: '/api/0/organizations/:organization/issues/:issue/',
      scope: 'event:read',
      resource: 'issue',
      summary: 'One issue of an organization, by id or short id',
      response: sentryIssueDetailsSchema,
      handler: async ({ target }) => details(target.issue),
    }),
    // Sentry serves the same update at both paths.
    ...['/api/0/issues/:issue/', '/api/0/organizations/:organization/issues/:issue/'].map((path) =>
      route({
        method: 'put',
        path,
        scope: 'event:write',
        resource: 'issue',
        summary: "Changes an issue's status and/or assignee",
        body: issueUpdateBody,
        response: sentryIssueSchema,
        handler: async ({ ctx, caller, target, body }) => updateOne(ctx, caller, target.issue, body),
      }),
    ),
    route({
      method: 'get',
      path: '/api/0/organizations/:organization/shortids/:shortId/',
      scope: 'event:read',
      resource: 'issue',
      summary: 'Resolves a short id such as APP-3 to its issue',
      response: shortIdAnswer,
      handler: async ({ params, target: { issue } }) => {
        if (!parseShortId(params.shortId))
          throw new NotFoundError(`Short id ${params.shortId} not found`, 'issue_not_found');
        return {
          organizationSlug: issue.organization_slug,
          projectSlug: issue.project_slug,
          groupId: String(issue.id),
          shortId: formatShortId(issue.project_slug, issue.short_id),
          group: await serializeWithComments(issue),
        };
      },
    }),
  ];
}
