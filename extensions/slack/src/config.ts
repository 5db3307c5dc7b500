import { z } from 'zod';
import { installationOnly, secret } from '@faultline/plugin-sdk';

/** Slack's Web API; `SLACK_API_URL` of the Slack app and `apiUrl` here point both at one place. */
export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

/**
 * Installation config (`PLUGIN_CONFIG_SLACK`), the bot token overridable per organization (each
 * organization is connected to one workspace, whose bot token it sets in its plugin settings).
 * `apiUrl` is the installation's alone: it decides where the server connects, so an organization
 * admin must not aim it (and the bot token with it) at the internal network.
 */
export const configSchema = z.object({
  /** The workspace's bot token (`xoxb-…`), the same the Slack app uses (`SLACK_BOT_TOKEN`). */
  botToken: secret(z.string().regex(/^xox[a-z]-[\w-]+$/, 'must be a Slack bot token (xoxb-…)')).optional(),
  /** The Web API base URL (default Slack's); tests point it at a stand-in on loopback. */
  apiUrl: installationOnly(z.url({ protocol: /^https?$/ })).optional(),
});

export type SlackConfig = z.infer<typeof configSchema>;

/** The action's config in an alert rule. */
export const actionConfigSchema = z.object({
  /** The channel's id (`C…`, `G…`): a name can change, an id can't, and cards are found by it. */
  channel: z.string().regex(/^[CGD][A-Z0-9]{2,30}$/, 'must be a Slack channel id, e.g. C0123ABCD'),
  /** Slack user ids (`U…`), user group ids (`S…`), `here` or `channel`, mentioned above the card. */
  mentions: z
    .array(
      z
        .string()
        .regex(/^(?:[UWS][A-Z0-9]{2,30}|here|channel)$/, 'must be a user or group id, here or channel'),
    )
    .max(20)
    .optional(),
  /**
   * The Slack workspace (team id, `T…`) to post in, when the organization installed the app in
   * several through OAuth; left out, the one installed workspace (or the configured `botToken`).
   */
  workspace: z
    .string()
    .regex(/^[TE][A-Z0-9]{2,30}$/, 'must be a Slack team id, e.g. T0123ABCD')
    .optional(),
  /** A line shown above the card, e.g. a runbook link. */
  notes: z.string().max(1000).optional(),
});

export type SlackActionConfig = z.infer<typeof actionConfigSchema>;
