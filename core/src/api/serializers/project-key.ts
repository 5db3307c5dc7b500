import { z } from 'zod';
import { buildDsn, type ProjectKey } from '../../accounts';
import { isoDate } from './dates';

/**
 * Every DSN form Sentry lists for a key; Faultline ingests through `public` (envelope and store).
 * `secret` (the deprecated `public:secret@` form) is null except in the answer that creates the key.
 */
const sentryKeyDsnsSchema = z.strictObject({
  secret: z.string().nullable(),
  public: z.string(),
  csp: z.string(),
  security: z.string(),
  minidump: z.string(),
  nel: z.string(),
  unreal: z.string(),
  crons: z.string(),
  cdn: z.string(),
});
type SentryKeyDsns = z.infer<typeof sentryKeyDsnsSchema>;

/**
 * Sentry's client key (DSN) shape, as `GET /api/0/projects/{org}/{project}/keys/` lists it. The
 * field names stay Sentry's, so clients that read `secret` keep working; it is null in every answer
 * but the one that creates the key (create, rotate), since only the secret's hash is stored.
 */
export const sentryProjectKeySchema = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    label: z.string(),
    public: z.string(),
    secret: z.string().nullable(),
    projectId: z.number().int(),
    isActive: z.boolean(),
    rateLimit: z.strictObject({ window: z.number().int(), count: z.number().int() }).nullable(),
    dsn: sentryKeyDsnsSchema,
    browserSdkVersion: z.string(),
    browserSdk: z.strictObject({ choices: z.array(z.tuple([z.string(), z.string()])) }),
    dynamicSdkLoaderOptions: z.strictObject({
      hasReplay: z.boolean(),
      hasPerformance: z.boolean(),
      hasDebug: z.boolean(),
    }),
    dateCreated: z.iso.datetime(),
  })
  .meta({ id: 'ProjectKey' });
export type SentryProjectKey = z.infer<typeof sentryProjectKeySchema>;

function keyDsns(publicUrl: string, key: ProjectKey, secret: string | null): SentryKeyDsns {
  const endpoint = publicUrl.replace(/\/+$/, '');
  const publicDsn = buildDsn(publicUrl, key.public_key, key.project_id);
  const projectApi = `${endpoint}/api/${key.project_id}`;
  return {
    secret:
      secret === null ? null : publicDsn.replace(`//${key.public_key}@`, `//${key.public_key}:${secret}@`),
    public: publicDsn,
    csp: `${projectApi}/csp-report/?sentry_key=${key.public_key}`,
    security: `${projectApi}/security/?sentry_key=${key.public_key}`,
    minidump: `${projectApi}/minidump/?sentry_key=${key.public_key}`,
    nel: `${projectApi}/nel/?sentry_key=${key.public_key}`,
    unreal: `${projectApi}/unreal/${key.public_key}/`,
    crons: `${projectApi}/cron/___MONITOR_SLUG___/${key.public_key}/`,
    cdn: `${endpoint}/js-sdk-loader/${key.public_key}.min.js`,
  };
}

/**
 * A key in Sentry's shape. `secret` is the clear secret, known only while creating the key; every
 * other answer passes nothing and shows null.
 */
export function serializeProjectKey(
  key: ProjectKey,
  publicUrl: string,
  secret: string | null = null,
): SentryProjectKey {
  const hasRateLimit = key.rate_limit_count !== null && key.rate_limit_window !== null;
  return {
    id: key.public_key,
    name: key.label,
    label: key.label,
    public: key.public_key,
    secret,
    projectId: key.project_id,
    isActive: key.is_active,
    rateLimit: hasRateLimit ? { window: key.rate_limit_window!, count: key.rate_limit_count! } : null,
    dsn: keyDsns(publicUrl, key, secret),
    browserSdkVersion: 'latest',
    browserSdk: { choices: [['latest', 'latest']] },
    dynamicSdkLoaderOptions: { hasReplay: false, hasPerformance: false, hasDebug: false },
    dateCreated: isoDate(key.created_at),
  };
}
