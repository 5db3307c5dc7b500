import { z } from 'zod';
import { DEFAULT_SLACK_API_URL } from '@faultline/extension-slack';

/**
 * The Slack app's settings, from the environment, checked at start-up (a bad value stops it with a
 * line naming the setting). `SLACK_APP_TOKEN` switches to Socket Mode: no public URL needed.
 */
export const settingsSchema = z.object({
  /** Where Faultline answers, e.g. `https://faultline.example.com`. */
  FAULTLINE_URL: z.url({ protocol: /^https?$/ }),
  /** An organization token issued to client `slack` (org:read project:read event:read event:write). */
  FAULTLINE_TOKEN: z.string().min(1),
  /** The organization this workspace is connected to. */
  FAULTLINE_ORGANIZATION: z.string().min(1),
  SLACK_SIGNING_SECRET: z.string().min(1),
  SLACK_BOT_TOKEN: z.string().regex(/^xoxb-/, 'must be a bot token (xoxb-…)'),
  SLACK_APP_TOKEN: z
    .string()
    .regex(/^xapp-/, 'must be an app-level token (xapp-…)')
    .optional(),
  SLACK_API_URL: z.url({ protocol: /^https?$/ }).default(DEFAULT_SLACK_API_URL),
  /** The standalone HTTP receiver's port (events, interactivity and commands at /slack/events). */
  SLACK_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
});

export type SlackAppSettings = z.infer<typeof settingsSchema>;

/** The settings from `env`, or an Error naming the first bad one. */
export function readSettings(env: Record<string, string | undefined>): SlackAppSettings {
  const parsed = settingsSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new Error(`Invalid setting ${issue.path.join('.')}: ${issue.message}`);
}
