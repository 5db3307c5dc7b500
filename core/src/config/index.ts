import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../errors';

const MiB = 1024 * 1024;

/**
 * The web UI this checkout builds (`web/dist`, beside `core/`): the same two levels up from
 * core/src/config (tsx) and core/dist/config (the built CLI). Found by path, not imported: core
 * never depends on the web package, it only serves a folder of files.
 */
export const DEFAULT_WEB_DIR = path.resolve(__dirname, '../../../web/dist');

/** Accepts numbers written in env vars ("8000") and rejects anything else with zod's message. */
const intSetting = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** 32+ random bytes written as hex or base64 (e.g. `openssl rand -base64 32`). */
const secretKeySetting = z
  .string()
  .transform((value) => decodeSecretKey(value))
  .refine((key) => key.length >= 32, {
    message:
      'must be at least 32 bytes written as hex or base64; generate one with `openssl rand -base64 32`',
  });

export function decodeSecretKey(value: string): Buffer {
  const text = value.trim();
  if (/^[0-9a-fA-F]+$/.test(text) && text.length % 2 === 0) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) return Buffer.from(text, 'base64');
  return Buffer.alloc(0);
}

/** Settings whose values never appear in error messages. */
const SECRET_SETTINGS = new Set([
  'SECRET_KEY',
  'SMTP_URL',
  'DATABASE_URL',
  'SLACK_SIGNING_SECRET',
  'SLACK_BOT_TOKEN',
  'SLACK_FAULTLINE_TOKEN',
  'SLACK_APP_TOKEN',
  'TYPESENSE_API_KEY',
  'SLACK_CLIENT_SECRET',
  'SLACK_STATE_SECRET',
]);

/**
 * Every setting Faultline reads, with its environment variable, default and bounds. Validated once at
 * start-up; a bad value stops start-up with one line naming the variable.
 */
const settings = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: intSetting(0, 65535).default(8000),
  DATA_DIR: z.string().min(1).default('.faultline'),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MAX_BODY_BYTES: intSetting(1024, 1024 * MiB).default(20 * MiB),
  MAX_ENVELOPE_BYTES: intSetting(1024, 4096 * MiB).default(100 * MiB),
  MAX_EVENT_BYTES: intSetting(1024, 256 * MiB).default(1 * MiB),
  MAX_ATTACHMENT_BYTES: intSetting(1024, 1024 * MiB).default(100 * MiB),
  MAX_ENVELOPE_ITEMS: intSetting(1, 100_000).default(1000),
  DECOMPRESSION_BUDGET_BYTES: intSetting(1024, 64 * 1024 * MiB).default(128 * MiB),
  HTTP_HEADERS_TIMEOUT_MS: intSetting(100, 600_000).default(10_000),
  HTTP_BODY_IDLE_TIMEOUT_MS: intSetting(100, 600_000).default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: intSetting(1000, 3_600_000).default(120_000),
  KEY_RATE_LIMIT_PER_MINUTE: intSetting(0, 100_000_000).default(0),
  DB_POOL_MAX: intSetting(1, 200).default(10),
  WORKER_BATCH_SIZE: intSetting(1, 10_000).default(500),
  WORKER_CONCURRENCY: intSetting(1, 64).default(2),
  RETENTION_DAYS: intSetting(1, 3650).default(90),
  SECRET_KEY: secretKeySetting.optional(),
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  MAIL_FROM: z.string().min(3).default('Faultline <faultline@localhost>'),
  WEB_DIR: z
    .string()
    .min(1)
    .refine((dir) => fs.existsSync(path.join(path.resolve(dir), 'index.html')), {
      message: 'must be a folder holding a built web UI (index.html); `npm run build` builds web/dist',
    })
    .optional(),
  PLUGINS: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name.length > 0),
    )
    .default([]),
  PLUGIN_EVENT_BUDGET_MS: intSetting(1, 10_000).default(50),
  PLUGIN_HOOK_BUDGET_MS: intSetting(10, 300_000).default(5000),
  PLUGINS_ALLOW_PRIVATE_NETWORKS: z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .transform((value) => value === 'true' || value === '1')
    .default(false),
  // The Slack app inside `faultline start` (slack-app/README.md): the Faultline token and
  // organization it acts with, and the app's own settings (below); or none.
  SLACK_FAULTLINE_TOKEN: z.string().min(1).optional(),
  SLACK_ORGANIZATION: z.string().min(1).optional(),
  ...slackAppSettings(),
  // Issue search on Typesense (docs/search.md); unset: Postgres answers every search.
  TYPESENSE_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  TYPESENSE_API_KEY: z.string().min(1).optional(),
  TYPESENSE_COLLECTION: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 letters, digits, _ or -')
    .default('issues'),
});

/**
 * The Slack app's own settings, read here for the app inside `faultline start`. Only named: what
 * each must be, and which go together, is declared once by the app (`readSlackSettings` of
 * @faultline/slack-app, the same rules as when it runs standalone) and checked when start-up loads
 * it, stopping start-up with a line naming the setting.
 */
function slackAppSettings() {
  const name = z.string().min(1).optional();
  return {
    SLACK_SIGNING_SECRET: name,
    SLACK_APP_TOKEN: name,
    SLACK_BOT_TOKEN: name,
    SLACK_CLIENT_ID: name,
    SLACK_CLIENT_SECRET: name,
    SLACK_STATE_SECRET: name,
    SLACK_API_URL: name,
  };
}

type SlackAppSettingName = keyof ReturnType<typeof slackAppSettings>;
const SLACK_APP_SETTINGS = Object.keys(slackAppSettings()) as SlackAppSettingName[];

/** What Faultline itself needs to run the app: who it acts as, where. */
const SLACK_REQUIRED = ['SLACK_FAULTLINE_TOKEN', 'SLACK_ORGANIZATION'] as const;

/** Rules between settings, each reported on the setting to change. */
const schema = settings
  .refine((s) => s.DECOMPRESSION_BUDGET_BYTES >= s.MAX_ENVELOPE_BYTES, {
    path: ['DECOMPRESSION_BUDGET_BYTES'],
    message: 'must be at least MAX_ENVELOPE_BYTES, or no envelope of the largest size could ever be read',
  })
  .refine((s) => s.HTTP_HEADERS_TIMEOUT_MS <= s.HTTP_REQUEST_TIMEOUT_MS, {
    path: ['HTTP_HEADERS_TIMEOUT_MS'],
    message: 'must not be more than HTTP_REQUEST_TIMEOUT_MS (the headers are part of the request)',
  })
  .superRefine((s, ctx) => {
    // Half a Slack configuration would start an app that cannot reach Faultline.
    const named = [...SLACK_REQUIRED, ...SLACK_APP_SETTINGS.filter((name) => name !== 'SLACK_API_URL')];
    if (!named.some((name) => s[name] !== undefined)) return;
    const missing = SLACK_REQUIRED.find((name) => s[name] === undefined);
    if (missing)
      ctx.addIssue({
        code: 'custom',
        path: [missing],
        message: `is required when any of ${named.join(', ')} is set (the Slack app needs it)`,
      });
  })
  // Either setting alone is a half-configured Typesense: say which one is missing.
  .refine((s) => s.TYPESENSE_URL === undefined || s.TYPESENSE_API_KEY !== undefined, {
    path: ['TYPESENSE_API_KEY'],
    message: 'is required when TYPESENSE_URL is set (an admin key of that Typesense server)',
  })
  .refine((s) => s.TYPESENSE_API_KEY === undefined || s.TYPESENSE_URL !== undefined, {
    path: ['TYPESENSE_URL'],
    message: 'is required when TYPESENSE_API_KEY is set (where the Typesense server is)',
  });

export type RawSettings = z.infer<typeof settings>;

export interface Config {
  database:
    | { kind: 'postgres'; url: string; poolMax: number }
    /** `dataDir` null: in memory (the plugin test host, core/src/testing-host). */
    | { kind: 'embedded'; dataDir: string | null };
  http: {
    host: string;
    port: number;
    publicUrl: string;
    /** Longest a client may take to send a request's headers (Node's `headersTimeout`). */
    headersTimeoutMs: number;
    /** Longest a client may go without sending a byte of a body the server is reading. */
    bodyIdleTimeoutMs: number;
    /** Longest a client may take to send a whole request, headers and body (Node's `requestTimeout`). */
    requestTimeoutMs: number;
    /** The built web UI served at `/` (checked at start-up when set; the default may be unbuilt). */
    webDir: string;
  };
  dataDir: string;
  logLevel: RawSettings['LOG_LEVEL'];
  limits: {
    maxBodyBytes: number;
    maxEnvelopeBytes: number;
    maxEventBytes: number;
    maxAttachmentBytes: number;
    /** Items (of any type, known or not) one envelope may carry. */
    maxEnvelopeItems: number;
    /** Decompressed bytes all ingestion requests in progress may hold at once; past it, 503. */
    decompressionBudgetBytes: number;
    /** Default events per minute per project key; 0 means unlimited. A key's own limit wins. */
    keyRateLimitPerMinute: number;
  };
  worker: { batchSize: number; concurrency: number };
  retentionDays: number;
  /** Key for encrypting secrets at rest and signing CSRF tokens; undefined: see auth/secret-key.ts. */
  secretKey: Buffer | undefined;
  /** Outgoing mail; without an SMTP URL, mail is logged as not sent. */
  mail: { smtpUrl: string | undefined; from: string };
  plugins: {
    /**
     * Plugins to load: npm package names or folders (relative to the working directory); the plugin
     * test host also passes plugin definitions (objects), which load only where the pipeline runs in
     * this process (not on a pipeline thread).
     */
    specs: (string | object)[];
    /** Time one plugin's `processEvent` may take per event before the event goes on without it. */
    eventBudgetMs: number;
    /** Raw JSON config per plugin, from `PLUGIN_CONFIG_<ID>` variables, by that variable's suffix. */
    rawConfigs: Record<string, string>;
    /** Time one issue hook, alert action or route call of a plugin may take. */
    hookBudgetMs: number;
    /** Whether plugins' HTTP client may reach private, loopback and link-local addresses. */
    allowPrivateNetworks: boolean;
  };
  /** The Slack app served at `/slack/events`; undefined when Slack is not configured. */
  slack:
    | {
        /** An organization integration token issued to client `slack`. */
        faultlineToken: string;
        organization: string;
        /** The app's own settings as set (the app checks them when loaded). */
        app: Partial<Record<SlackAppSettingName, string>>;
      }
    | undefined;
  /** Issue search: on Typesense when configured (Postgres answers what it can't), else Postgres alone. */
  search: { typesense: { url: string; apiKey: string; collection: string } | undefined };
}

/** Reads and validates settings from an environment (process.env by default) plus CLI overrides. */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<Record<keyof RawSettings, string | number | undefined>> = {},
): Config {
  const input: Record<string, unknown> = {};
  for (const key of Object.keys(settings.shape)) {
    const value = overrides[key as keyof RawSettings] ?? env[key];
    // An empty variable means "not set", as in most twelve-factor apps.
    if (value !== undefined && value !== '') input[key] = value;
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = issue.path.join('.') || 'configuration';
    const got = SECRET_SETTINGS.has(name) ? 'value hidden' : `got ${JSON.stringify(input[name])}`;
    throw new ConfigError(`Invalid setting ${name}: ${issue.message} (${got})`);
  }
  const s = parsed.data;
  const dataDir = path.resolve(s.DATA_DIR);
  const shownHost = s.HOST === '0.0.0.0' || s.HOST === '::' ? '127.0.0.1' : s.HOST;
  return {
    database: s.DATABASE_URL
      ? { kind: 'postgres', url: s.DATABASE_URL, poolMax: s.DB_POOL_MAX }
      : { kind: 'embedded', dataDir: path.join(dataDir, 'pgdata') },
    http: {
      host: s.HOST,
      port: s.PORT,
      publicUrl: (s.PUBLIC_URL ?? `http://${shownHost}:${s.PORT}`).replace(/\/+$/, ''),
      headersTimeoutMs: s.HTTP_HEADERS_TIMEOUT_MS,
      bodyIdleTimeoutMs: s.HTTP_BODY_IDLE_TIMEOUT_MS,
      requestTimeoutMs: s.HTTP_REQUEST_TIMEOUT_MS,
      webDir: s.WEB_DIR ? path.resolve(s.WEB_DIR) : DEFAULT_WEB_DIR,
    },
    dataDir,
    logLevel: s.LOG_LEVEL,
    limits: {
      maxBodyBytes: s.MAX_BODY_BYTES,
      maxEnvelopeBytes: s.MAX_ENVELOPE_BYTES,
      maxEventBytes: s.MAX_EVENT_BYTES,
      maxAttachmentBytes: s.MAX_ATTACHMENT_BYTES,
      maxEnvelopeItems: s.MAX_ENVELOPE_ITEMS,
      decompressionBudgetBytes: s.DECOMPRESSION_BUDGET_BYTES,
      keyRateLimitPerMinute: s.KEY_RATE_LIMIT_PER_MINUTE,
    },
    worker: { batchSize: s.WORKER_BATCH_SIZE, concurrency: s.WORKER_CONCURRENCY },
    retentionDays: s.RETENTION_DAYS,
    secretKey: s.SECRET_KEY,
    mail: { smtpUrl: s.SMTP_URL, from: s.MAIL_FROM },
    plugins: {
      specs: s.PLUGINS,
      eventBudgetMs: s.PLUGIN_EVENT_BUDGET_MS,
      rawConfigs: pluginConfigsFrom(env),
      hookBudgetMs: s.PLUGIN_HOOK_BUDGET_MS,
      allowPrivateNetworks: s.PLUGINS_ALLOW_PRIVATE_NETWORKS,
    },
    slack:
      s.SLACK_FAULTLINE_TOKEN && s.SLACK_ORGANIZATION
        ? {
            faultlineToken: s.SLACK_FAULTLINE_TOKEN,
            organization: s.SLACK_ORGANIZATION,
            app: Object.fromEntries(
              SLACK_APP_SETTINGS.filter((name) => s[name] !== undefined).map((name) => [name, s[name]]),
            ),
          }
        : undefined,
    search: {
      typesense:
        s.TYPESENSE_URL && s.TYPESENSE_API_KEY
          ? {
              url: s.TYPESENSE_URL.replace(/\/+$/, ''),
              apiKey: s.TYPESENSE_API_KEY,
              collection: s.TYPESENSE_COLLECTION,
            }
          : undefined,
    },
  };
}

const PLUGIN_CONFIG_PREFIX = 'PLUGIN_CONFIG_';

/** `PLUGIN_CONFIG_<ID>` variables by `<ID>`; the plugin host matches them to plugin ids. */
function pluginConfigsFrom(env: Record<string, string | undefined>): Record<string, string> {
  const configs: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith(PLUGIN_CONFIG_PREFIX) && value)
      configs[key.slice(PLUGIN_CONFIG_PREFIX.length)] = value;
  }
  return configs;
}

/** The settings table shown in the README, kept next to the schema so the two don't drift. */
export const SETTINGS_DOC: Record<keyof RawSettings, string> = {
  DATABASE_URL: 'Postgres connection URL. Unset: embedded PGlite under DATA_DIR.',
  HOST: 'Address the HTTP server binds to (default 127.0.0.1).',
  PORT: 'HTTP port (default 8000).',
  DATA_DIR: 'Where embedded mode keeps its database (default ./.faultline).',
  PUBLIC_URL: 'URL SDKs and users reach Faultline at; used in DSNs (default http://HOST:PORT).',
  LOG_LEVEL: 'fatal, error, warn, info (default), debug, trace or silent.',
  MAX_BODY_BYTES: 'Largest request body as sent, possibly compressed (default 20 MiB).',
  MAX_ENVELOPE_BYTES: 'Largest envelope after decompression (default 100 MiB).',
  MAX_EVENT_BYTES: 'Largest event/transaction item (default 1 MiB).',
  MAX_ATTACHMENT_BYTES: 'Largest attachment item (default 100 MiB).',
  MAX_ENVELOPE_ITEMS:
    'Most items one envelope may carry, of any type (default 1000); past it the envelope is refused with 413.',
  DECOMPRESSION_BUDGET_BYTES:
    'Decompressed bytes all ingestion requests in progress may hold at once; a request that would go past it is answered 503 with Retry-After (default 128 MiB: one envelope of the largest size at a time; at least MAX_ENVELOPE_BYTES).',
  HTTP_HEADERS_TIMEOUT_MS:
    'Longest a client may take to send the headers of a request before the connection is closed with 408 (default 10000).',
  HTTP_BODY_IDLE_TIMEOUT_MS:
    'Longest a client may go without sending a byte of a request body being read; then it is answered 408 and disconnected (default 10000).',
  HTTP_REQUEST_TIMEOUT_MS:
    'Longest a client may take to send a whole request, however steadily (default 120000; a 20 MiB body then needs ~1.4 Mbit/s).',
  KEY_RATE_LIMIT_PER_MINUTE:
    "Default events per minute per project key, 0 = unlimited; a key's own limit wins.",
  DB_POOL_MAX: 'Postgres connections per process (default 10).',
  WORKER_BATCH_SIZE: 'Raw events a pipeline worker claims per transaction (default 500).',
  WORKER_CONCURRENCY: 'Pipeline worker loops per process (default 2).',
  RETENTION_DAYS:
    'Days of events kept; older daily partitions are dropped, and issue changes older than this are pruned (default 90).',
  SECRET_KEY:
    '32+ random bytes, hex or base64, encrypting TOTP seeds and signing CSRF tokens. Required with DATABASE_URL; embedded mode generates DATA_DIR/secret.key.',
  SMTP_URL:
    'SMTP server for password reset mail, e.g. smtp://user:pass@mail.example.com:587 (unset: mail is not sent).',
  MAIL_FROM: 'Sender of Faultline mail (default "Faultline <faultline@localhost>").',
  WEB_DIR:
    'Folder of the built web UI served at / (default: web/dist of this checkout, built by npm run build). When set, it must hold index.html.',
  PLUGINS:
    'Plugins to load, comma-separated: npm package names or folders (e.g. `@acme/faultline-tagger,./plugins/mine`). Each plugin reads its config as JSON from `PLUGIN_CONFIG_<ID>` (id upper-cased, dashes as underscores). A broken plugin is logged and skipped.',
  PLUGIN_EVENT_BUDGET_MS:
    "Time one plugin's processEvent may take per event before the event goes on unchanged (default 50).",
  PLUGIN_HOOK_BUDGET_MS:
    "Time one call of a plugin's issue hook or alert action may take before it counts as failed and is retried (default 5000).",
  PLUGINS_ALLOW_PRIVATE_NETWORKS:
    "true lets plugins' HTTP client reach private, loopback and link-local addresses (default false: refused, against SSRF).",
  SLACK_SIGNING_SECRET:
    "The Slack app's signing secret. With SLACK_FAULTLINE_TOKEN, SLACK_ORGANIZATION and SLACK_BOT_TOKEN (or the OAuth settings), `faultline start` runs the Slack app at /slack/events (slack-app/README.md).",
  SLACK_APP_TOKEN:
    'An app-level token (xapp-…): the Slack app inside `faultline start` connects over Socket Mode instead, needing no public URL nor signing secret.',
  SLACK_BOT_TOKEN: "The Slack app's bot token (xoxb-…), for one workspace by settings.",
  SLACK_CLIENT_ID:
    "The Slack app's client id: with SLACK_CLIENT_SECRET and SLACK_STATE_SECRET instead of SLACK_BOT_TOKEN, workspaces install the app through Slack's OAuth flow at /slack/install.",
  SLACK_CLIENT_SECRET: "The Slack app's client secret (the OAuth install flow).",
  SLACK_STATE_SECRET: "Signs the OAuth install flow's state (16 characters or more, random).",
  SLACK_FAULTLINE_TOKEN:
    'An organization integration token issued to client `slack`, with which the Slack app calls the API at PUBLIC_URL.',
  SLACK_ORGANIZATION: 'The organization (slug) the Slack workspace is connected to.',
  SLACK_API_URL: 'The Slack Web API base URL (default https://slack.com/api/).',
  TYPESENSE_URL:
    'A Typesense server (e.g. http://typesense:8108) to answer issue searches; with TYPESENSE_API_KEY. Unset: Postgres answers them (docs/search.md). Run `faultline search reindex` once after setting it (until then Postgres answers every search).',
  TYPESENSE_API_KEY: 'An admin API key of the Typesense server at TYPESENSE_URL.',
  TYPESENSE_COLLECTION: 'The Typesense collection holding the issues (default issues).',
};
