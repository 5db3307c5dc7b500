import { z } from 'zod';
import { createRepository, listRepositories, REPOSITORY_PROVIDERS } from '../../releases';
import { route, type ApiRoute } from '../define-route';
import type { ApiDependencies } from '../dependencies';
import { pageParams, pageRequest, paginate } from '../pagination';
import { sentryRepositorySchema, serializeRepository } from '../serializers/release';

const repositoryBody = z.strictObject({
  name: z.string().trim().min(1).max(200).describe('As sentry-cli names it in `--commit`, e.g. `acme/shop`'),
  url: z.url().max(2000).nullable().optional(),
  provider: z
    .enum(Object.keys(REPOSITORY_PROVIDERS) as [string, ...string[]])
    .nullable()
    .optional()
    .describe("Sentry's provider id; sentry-cli's `--auto` matches GitHub remotes to `integrations:github`"),
  externalId: z.string().max(200).nullable().optional(),
});

/** The repositories whose commits releases ship (`sentry-cli releases set-commits` lists them). */
export function repositoryRoutes({ knex, config }: ApiDependencies): ApiRoute[] {
  return [
    route({
      method: 'get',
      path: '/api/0/organizations/:organization/repos/',
      scope: 'org:read',
      resource: 'organization',
      summary: "The organization's repositories, oldest first",
      query: z.object(pageParams),
      response: z.array(sentryRepositorySchema),
      handler: async ({ ctx, target: { access }, query }) =>
        (
          await paginate(ctx, config.http.publicUrl, pageRequest(query), (window) =>
            listRepositories(knex, access.organization.id, window),
          )
        ).map(serializeRepository),
    }),
    route({
      method: 'post',
      path: '/api/0/organizations/:organization/repos/',
      scope: 'org:write',
      resource: 'organization',
      summary: 'Adds a repository, so releases can name its commits',
      body: repositoryBody,
      status: 201,
      response: sentryRepositorySchema,
      errors: [409],
      handler: async ({ target: { access }, body }) =>
        serializeRepository(
          await createRepository(knex, access.organization.id, {
            name: body.name,
            url: body.url ?? null,
            provider: body.provider ?? null,
            externalId: body.externalId ?? null,
          }),
        ),
    }),
  ];
}
