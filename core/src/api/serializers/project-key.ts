import { buildDsn, type ProjectKey } from '../../accounts';
import { isoDate } from './dates';

/** Every DSN form Sentry lists for a key; Faultline ingests through `public` (envelope and store). */
export interface SentryKeyDsns {
  secret: string;
  public: string;
  csp: string;
  security: string;
  minidump: string;
  nel: string;
  unreal: string;
  crons: string;
  cdn: string;
}

/** Sentry's client key (DSN) shape, as `GET /api/0/projects/{org}/{project}/keys/` lists it. */
export interface SentryProjectKey {
  id: string;
  name: string;
  label: string;
  public: string;
  secret: string;
  projectId: number;
  isActive: boolean;
  rateLimit: { window: number; count: number } | null;
  dsn: SentryKeyDsns;
  browserSdkVersion: string;
  browserSdk: { choices: [string, string][] };
  dynamicSdkLoaderOptions: { hasReplay: boolean; hasPerformance: boolean; hasDebug: boolean };
  dateCreated: string;
}

function keyDsns(publicUrl: string, key: ProjectKey): SentryKeyDsns {
  const endpoint = publicUrl.replace(/\/+$/, '');
  const publicDsn = buildDsn(publicUrl, key.public_key, key.project_id);
  const projectApi = `${endpoint}/api/${key.project_id}`;
  return {
    secret: publicDsn.replace(`//${key.public_key}@`, `//${key.public_key}:${key.secret_key}@`),
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

export function serializeProjectKey(key: ProjectKey, publicUrl: string): SentryProjectKey {
  const hasRateLimit = key.rate_limit_count !== null && key.rate_limit_window !== null;
  return {
    id: key.public_key,
    name: key.label,
    label: key.label,
    public: key.public_key,
    secret: key.secret_key,
    projectId: key.project_id,
    isActive: key.is_active,
    rateLimit: hasRateLimit ? { window: key.rate_limit_window!, count: key.rate_limit_count! } : null,
    dsn: keyDsns(publicUrl, key),
    browserSdkVersion: 'latest',
    browserSdk: { choices: [['latest', 'latest']] },
    dynamicSdkLoaderOptions: { hasReplay: false, hasPerformance: false, hasDebug: false },
    dateCreated: isoDate(key.created_at),
  };
}
