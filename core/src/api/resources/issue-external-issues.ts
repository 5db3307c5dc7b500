import { z } from 'zod';
import { listIssueExternalLinks, type ExternalLinkRow } from '../../issues';
import { route, type ApiRoute } from '../define-route';
import type { ApiDependencies } from '../dependencies';
import { isoDate } from '../serializers/dates';

/** What a plugin linked to an issue: a GitHub issue, a Slack card (`IssuesService.linkExternalIssue`). */
const externalIssueSchema = z
  .strictObject({
    plugin: z.string(),
    key: z.string(),
    url: z.string(),
    title: z.string().nullable(),
    dateCreated: z.iso.datetime(),
  })
  .meta({ id: 'ExternalIssue' });

function serialize(row: ExternalLinkRow): z.infer<typeof externalIssueSchema> {
  return {
    plugin: row.plugin_id,
    key: row.key,
    url: row.url,
    title: row.title,
    dateCreated: isoDate(row.created_at),
  };
}

/**
 * The external issues plugins linked to an issue, for anyone who can read it: the web UI shows them,
 * and the Slack app finds the cards the Slack plugin posted of an issue here to keep them true.
 */
export function issueExternalIssueRoutes({ knex }: ApiDependencies): ApiRoute[] {
  return [
    route({
      method: 'get',
      path: '/api/0/issues/:issue/external-issues/',
      scope: 'event:read',
      resource: 'issue',
      summary: "What plugins linked to an issue (another system's issues, posted Slack cards), oldest first",
      response: z.array(externalIssueSchema),
      handler: async ({ target: { issue } }) => (await listIssueExternalLinks(knex, issue.id)).map(serialize),
    }),
  ];
}
