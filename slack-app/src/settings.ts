import { z } from 'zod';
import { DEFAULT_SLACK_API_URL } from '@faultline/extension-slack';

/** The OAuth install flow's settings: with all three, workspaces install the app themselves. */
const OAUTH_SETTINGS = ['SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET'] as const;

/**
 * How Slack reaches the app and who the app is in each workspace: declared once, here, for both
 * ways the app runs. The standalone app reads them from its environment (`settingsSchema`);
 * `faultline start` reads the same variables and has them checked here (`readSlackSettings`) when
 * it loads the app. `SLACK_APP_TOKEN` switches to Socket Mode: no public URL needed. One workspace
 * by its bot token (`SLACK_BOT_TOKEN`), or any number through Slack's OAuth install flow
 * (`SLACK_CLIENT_ID`, `SLACK_CLIENT_SECRET`, `SLACK_STATE_SECRET`), each kept in Faultline.
 */
const slackShape = {
  /** Verifies Slack's requests over HTTP; not needed in Socket Mode. */
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  SLACK_BOT_TOKEN: z
    .string()
    .regex(/^xoxb-/, 'must be a bot token (xoxb-…)')
    .optional(),
  /** The app's client id and secret (Basic Information), for the OAuth install flow. */
  SLACK_CLIENT_ID: z.string().min(1).optional(),
  SLACK_CLIENT_SECRET: z.string().min(1).optional(),
  /** Signs the OAuth flow's state, so a redirect can't be forged (any long random string). */
  SLACK_STATE_SECRET: z.string().min(16).optional(),
  SLACK_APP_TOKEN: z
    .string()
    .regex(/^xapp-/, 'must be an app-level token (xapp-…)')
    .optional(),
  SLACK_API_URL: z.url({ protocol: /^https?$/ }).default(DEFAULT_SLACK_API_URL),
};

/** The names of the Slack settings, for a host that reads them from its environment. */
export const SLACK_SETTING_NAMES = Object.keys(slackShape) as (keyof typeof slackShape)[];

type SlackShape = z.infer<z.ZodObject<typeof slackShape>>;

/** The rules between the Slack settings, each reported on the setting to change. */
function checkSlackSettings(s: SlackShape, ctx: z.RefinementCtx): void {
  const oauth = OAUTH_SETTINGS.filter((name) => s[name] !== undefined);
  if (oauth.length > 0 && oauth.length < OAUTH_SETTINGS.length)
    ctx.addIssue({
      code: 'custom',
      path: [OAUTH_SETTINGS.find((name) => s[name] === undefined)!],
      message: `is required with ${oauth.join(', ')} (the OAuth install flow needs all three)`,
    });
  else if (oauth.length === 0 && s.SLACK_BOT_TOKEN === undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['SLACK_BOT_TOKEN'],
      message: `is required unless ${OAUTH_SETTINGS.join(', ')} are set (the OAuth install flow)`,
    });
  else if (oauth.length > 0 && s.SLACK_BOT_TOKEN !== undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['SLACK_BOT_TOKEN'],
      message: 'must not be set with the OAuth install flow (each workspace gets its own token)',
    });
  else if (s.SLACK_SIGNING_SECRET === undefined && s.SLACK_APP_TOKEN === undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['SLACK_SIGNING_SECRET'],
      message: 'is required for the Slack app unless SLACK_APP_TOKEN is set (Socket Mode)',
    });
}

/** The Slack settings alone, as `faultline start` passes them (its own settings name Faultline). */
export const slackSettingsSchema = z.object(slackShape).superRefine(checkSlackSettings);

export type SlackSettings = z.infer<typeof slackSettingsSchema>;

/** The standalone app's settings, from the environment, checked at start-up. */
export const settingsSchema = z
  .object({
    /** Where Faultline answers, e.g. `https://faultline.example.com`. */
    FAULTLINE_URL: z.url({ protocol: /^https?$/ }),
    /** An organization token issued to client `slack` (org:read project:read event:read event:write). */
    FAULTLINE_TOKEN: z.string().min(1),
    /** The organization this workspace is connected to. */
    FAULTLINE_ORGANIZATION: z.string().min(1),
    ...slackShape,
    /**
     * The standalone HTTP server's port: events, interactivity and commands at /slack/events (not
     * in Socket Mode), and the OAuth install flow's pages.
     */
    SLACK_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  })
  .superRefine(checkSlackSettings);

export type SlackAppSettings = z.infer<typeof settingsSchema>;

/** `schema`'s reading of `input`, or an Error naming the first bad setting. */
function parsed<T>(schema: z.ZodType<T>, input: Record<string, string | undefined>): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new Error(`Invalid setting ${issue.path.join('.')}: ${issue.message}`);
}

/** The standalone app's settings from `env`, or an Error naming the first bad one. */
export function readSettings(env: Record<string, string | undefined>): SlackAppSettings {
  return parsed(settingsSchema, env);
}

/** The Slack settings from `values` (for `faultline start`), or an Error naming the first bad one. */
export function readSlackSettings(values: Record<string, string | undefined>): SlackSettings {
  return parsed(slackSettingsSchema, values);
}

/** How the app knows its workspaces: one bot token, or the OAuth install flow. */
export type Workspaces =
  | { kind: 'one'; botToken: string }
  | { kind: 'installed'; clientId: string; clientSecret: string; stateSecret: string };

/** The workspaces the (validated) settings name. */
export function workspacesOf(
  settings: Pick<SlackSettings, 'SLACK_BOT_TOKEN' | (typeof OAUTH_SETTINGS)[number]>,
): Workspaces {
  const {
    SLACK_CLIENT_ID: clientId,
    SLACK_CLIENT_SECRET: clientSecret,
    SLACK_STATE_SECRET: stateSecret,
  } = settings;
  if (clientId && clientSecret && stateSecret)
    return { kind: 'installed', clientId, clientSecret, stateSecret };
  if (!settings.SLACK_BOT_TOKEN) throw new Error('The Slack app needs SLACK_BOT_TOKEN or the OAuth settings');
  return { kind: 'one', botToken: settings.SLACK_BOT_TOKEN };
}
