import { z } from 'zod';
import {
  REPOSITORY_PROVIDERS,
  type Deploy,
  type Release,
  type ReleaseDetails,
  type Repository,
} from '../../releases';
import { isoDate, isoDateOrNull } from './dates';

/** Sentry's deploy. */
export const sentryDeploySchema = z
  .strictObject({
    id: z.string(),
    environment: z.string(),
    name: z.string().nullable(),
    url: z.string().nullable(),
    dateStarted: z.iso.datetime().nullable(),
    dateFinished: z.iso.datetime(),
  })
  .meta({ id: 'Deploy' });

export function serializeDeploy(deploy: Deploy): z.infer<typeof sentryDeploySchema> {
  return {
    id: String(deploy.id),
    environment: deploy.environment,
    name: deploy.name,
    url: deploy.url,
    dateStarted: isoDateOrNull(deploy.date_started),
    dateFinished: isoDate(deploy.date_finished),
  };
}

/** Sentry's release, as `sentry-cli` reads it (`version`, `dateCreated`, `lastCommit.id`, …). */
export const sentryReleaseSchema = z
  .strictObject({
    id: z.number().int(),
    version: z.string(),
    shortVersion: z.string(),
    ref: z.string().nullable(),
    url: z.string().nullable(),
    status: z.literal('open'),
    dateCreated: z.iso.datetime(),
    dateStarted: z.iso.datetime().nullable(),
    dateReleased: z.iso.datetime().nullable(),
    newGroups: z.number().int().describe('Issues first seen in this release, over its projects'),
    commitCount: z.number().int(),
    lastCommit: z
      .strictObject({
        id: z.string(),
        message: z.string().nullable(),
        dateCreated: z.iso.datetime(),
        repository: z.strictObject({ name: z.string() }),
        author: z.strictObject({ name: z.string().nullable(), email: z.string().nullable() }).nullable(),
      })
      .nullable()
      .describe("The release's newest commit: where the next release's commit range starts"),
    deployCount: z.number().int(),
    lastDeploy: sentryDeploySchema.nullable(),
    projects: z.array(
      z.strictObject({
        id: z.number().int(),
        slug: z.string(),
        name: z.string(),
        platform: z.string().nullable(),
        platforms: z.array(z.string()),
        newGroups: z.number().int(),
        hasHealthData: z.literal(false),
      }),
    ),
  })
  .meta({ id: 'Release' });
export type SentryRelease = z.infer<typeof sentryReleaseSchema>;

export function serializeRelease(release: Release, details: ReleaseDetails): SentryRelease {
  const head = details.lastCommit;
  return {
    id: release.id,
    version: release.version,
    shortVersion: release.version,
    ref: release.ref,
    url: release.url,
    status: 'open',
    dateCreated: isoDate(release.date_created),
    dateStarted: isoDateOrNull(release.date_started),
    dateReleased: isoDateOrNull(release.date_released),
    newGroups: details.newGroups,
    commitCount: details.commitCount,
    lastCommit: head && {
      id: head.id,
      message: head.message,
      dateCreated: isoDate(head.dateCreated),
      repository: { name: head.repository },
      author:
        head.authorName === null && head.authorEmail === null
          ? null
          : { name: head.authorName, email: head.authorEmail },
    },
    deployCount: details.deployCount,
    lastDeploy: details.lastDeploy && serializeDeploy(details.lastDeploy),
    projects: details.projects.map((p) => ({
      id: p.id,
      slug: p.slug,
      name: p.name,
      platform: p.platform,
      platforms: p.platform === null ? [] : [p.platform],
      newGroups: p.newGroups,
      hasHealthData: false as const,
    })),
  };
}

/** Sentry's repository; `provider` is what sentry-cli matches `--commit` and `--auto` against. */
export const sentryRepositorySchema = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    url: z.string().nullable(),
    provider: z.strictObject({ id: z.string(), name: z.string() }),
    status: z.string(),
    externalSlug: z.string().nullable(),
    dateCreated: z.iso.datetime(),
  })
  .meta({ id: 'Repository' });

export function serializeRepository(repository: Repository): z.infer<typeof sentryRepositorySchema> {
  // Sentry names a repository only known from commit lists this way.
  const provider =
    repository.provider === null
      ? { id: 'unknown', name: 'Unknown Provider' }
      : { id: repository.provider, name: REPOSITORY_PROVIDERS[repository.provider] ?? repository.provider };
  return {
    id: String(repository.id),
    name: repository.name,
    url: repository.url,
    provider,
    status: repository.status,
    externalSlug: repository.external_id,
    dateCreated: isoDate(repository.date_created),
  };
}
