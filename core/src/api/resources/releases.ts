import { z } from 'zod';
import {
  createDeploy,
  deleteRelease,
  ensureRelease,
  listDeploys,
  listOrganizationReleases,
  listProjectReleases,
  previousReleaseWithCommits,
  releaseDetails,
  setReleaseCommits,
  setReleaseRefs,
  updateRelease,
  type CommitInput,
  type RefInput,
  type Release,
} from '../../releases';
import type { Knex } from 'knex';
import { route, type ApiRoute } from '../define-route';
import type { ApiDependencies } from '../dependencies';
import { pageParams, pageRequest, paginate } from '../pagination';
import {
  sentryDeploySchema,
  sentryReleaseSchema,
  serializeDeploy,
  serializeRelease,
} from '../serializers/release';

/** A timestamp as Sentry clients send it (RFC 3339, with `Z` or an offset). */
const dateField = z.iso
  .datetime({ offset: true })
  .transform((text) => new Date(text))
  .nullable()
  .optional();

/** At most this many commits in one request: sentry-cli sends 20, Sentry's own limit is larger. */
const MAX_COMMITS = 1000;

const refsField = z
  .array(
    z.object({
      repository: z.string().min(1).max(200),
      commit: z.string().min(1).max(200),
      previousCommit: z.string().max(200).nullable().optional(),
    }),
  )
  .max(MAX_COMMITS)
  .optional()
  .describe('Head commits by repository (`set-commits --commit acme/shop@sha`); the repositories must exist');

const commitsField = z
  .array(
    z.object({
      id: z.string().min(1).max(200),
      repository: z.string().min(1).max(200).nullable().optional(),
      message: z.string().nullable().optional(),
      author_name: z.string().max(200).nullable().optional(),
      author_email: z.string().max(200).nullable().optional(),
      timestamp: dateField,
      patch_set: z
        .array(z.object({ path: z.string().max(1000), type: z.enum(['A', 'M', 'D']) }))
        .max(10_000)
        .optional(),
    }),
  )
  .max(MAX_COMMITS)
  .optional()
  .describe('Commits, newest first (`set-commits --local`); unknown repositories are created');

// Not strict: Sentry clients send fields Faultline doesn't keep (`owner`, `status`).
const releaseChangeFields = {
  projects: z.array(z.string().min(1).max(100)).max(1000).optional(),
  ref: z.string().max(200).nullable().optional(),
  url: z.string().max(2000).nullable().optional(),
  dateStarted: dateField,
  dateReleased: dateField,
  refs: refsField,
  commits: commitsField,
};

const releaseCreateBody = z.object({
  version: z.string().describe('The version; percent-encode it in later paths'),
  ...releaseChangeFields,
  projects: z.array(z.string().min(1).max(100)).min(1).max(1000),
});
const releaseUpdateBody = z.object(releaseChangeFields);

const deployBody = z.object({
  environment: z.string(),
  name: z.string().max(64).nullable().optional(),
  url: z.string().max(2000).nullable().optional(),
  dateStarted: dateField,
  dateFinished: dateField,
});

type CommitsBody = { refs?: z.output<typeof refsField>; commits?: z.output<typeof commitsField> };

/** Sets the release's commits from what the body carries (a commit list wins over refs, as in Sentry). */
async function applyCommits(knex: Knex, release: Release, body: CommitsBody): Promise<void> {
  if (body.commits !== undefined) {
    const commits: CommitInput[] = body.commits.map((c) => ({
      id: c.id,
      repository: c.repository,
      message: c.message,
      authorName: c.author_name,
      authorEmail: c.author_email,
      timestamp: c.timestamp,
      patchSet: c.patch_set,
    }));
    await setReleaseCommits(knex, release, commits);
  } else if (body.refs !== undefined) {
    await setReleaseRefs(knex, release, body.refs as RefInput[]);
  }
}

/** Sentry's release routes, as `sentry-cli releases …` calls them. */
export function releaseRoutes({ knex, config }: ApiDependencies): ApiRoute[] {
  const publicUrl = config.http.publicUrl;
  const answerAll = async (releases: Release[]) => {
    const details = await releaseDetails(knex, releases);
    return releases.map((r) => serializeRelease(r, details.get(r.id)!));
  };
  const answer = async (release: Release) => (await answerAll([release]))[0];

  return [
    route({
      method: 'get',
      path: '/api/0/organizations/:organization/releases/',
      scope: 'project:read',
      resource: 'organization',
      summary: "The organization's releases the caller may see, newest first",
      query: z.object(pageParams),
      response: z.array(sentryReleaseSchema),
      handler: async ({ ctx, target: { access }, query }) =>
        answerAll(
          await paginate(ctx, publicUrl, pageRequest(query), (window) =>
            listOrganizationReleases(knex, access, window),
          ),
        ),
    }),
    route({
      method: 'post',
      path: '/api/0/organizations/:organization/releases/',
      scope: 'project:releases',
      resource: 'organization',
      summary:
        'Creates a release in the named projects, or adds the projects to it when it exists (sentry-cli repeats this call)',
      body: releaseCreateBody,
      status: 201,
      response: sentryReleaseSchema,
      handler: async ({ target: { access }, body }) => {
        const release = await ensureRelease(knex, access, body);
        await applyCommits(knex, release, body);
        return answer(release);
      },
    }),
    route({
      method: 'get',
      path: '/api/0/organizations/:organization/releases/:version/',
      scope: 'project:read',
      resource: 'release',
      summary: 'One release, by its version (percent-encoded)',
      response: sentryReleaseSchema,
      handler: async ({ target: { release } }) => answer(release),
    }),
    route({
      method: 'put',
      path: '/api/0/organizations/:organization/releases/:version/',
      scope: 'project:releases',
      resource: 'release',
      summary:
        'Changes a release: finalizes it (`dateReleased`), adds projects, sets its commits (`refs` or `commits`)',
      body: releaseUpdateBody,
      response: sentryReleaseSchema,
      handler: async ({ target: { access, release }, body }) => {
        const updated = await updateRelease(knex, access, release, body);
        await applyCommits(knex, updated, body);
        return answer(updated);
      },
    }),
    route({
      method: 'delete',
      path: '/api/0/organizations/:organization/releases/:version/',
      scope: 'project:releases',
      resource: 'release',
      summary: 'Deletes a release with its commit list and deploys (its events keep the version)',
      response: null,
      handler: async ({ target: { release } }) => {
        await deleteRelease(knex, release);
        return undefined;
      },
    }),
    route({
      method: 'get',
      path: '/api/0/organizations/:organization/releases/:version/previous-with-commits/',
      scope: 'project:read',
      resource: 'release',
      summary:
        'The release before this one (in a shared project) that has commits, or `{}` when there is none',
      response: z.union([sentryReleaseSchema, z.strictObject({})]),
      handler: async ({ target: { release } }) => {
        const previous = await previousReleaseWithCommits(knex, release);
        return previous ? answer(previous) : {};
      },
    }),
    route({
      method: 'post',
      path: '/api/0/organizations/:organization/releases/:version/deploys/',
      scope: 'project:releases',
      resource: 'release',
      summary: 'Records a deploy of the release to an environment',
      body: deployBody,
      status: 201,
      response: sentryDeploySchema,
      handler: async ({ target: { release }, body }) =>
        serializeDeploy(await createDeploy(knex, release, body)),
    }),
    route({
      method: 'get',
      path: '/api/0/organizations/:organization/releases/:version/deploys/',
      scope: 'project:read',
      resource: 'release',
      summary: "The release's deploys, newest first",
      response: z.array(sentryDeploySchema),
      handler: async ({ target: { release } }) => (await listDeploys(knex, release)).map(serializeDeploy),
    }),
    route({
      method: 'get',
      path: '/api/0/projects/:organization/:project/releases/',
      scope: 'project:read',
      resource: 'project',
      summary: "The project's releases, newest first (`sentry-cli releases list`)",
      query: z.object(pageParams),
      response: z.array(sentryReleaseSchema),
      handler: async ({ ctx, target: { project }, query }) =>
        answerAll(
          await paginate(ctx, publicUrl, pageRequest(query), (window) =>
            listProjectReleases(knex, project.id, window),
          ),
        ),
    }),
  ];
}
