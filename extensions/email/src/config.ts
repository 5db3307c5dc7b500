import { z } from 'zod';
import { installationOnly, secret } from '@faultline/plugin-sdk';

/** `you@example.com` or `Display Name <you@example.com>`. */
const MAILBOX = /^(?:[^<>\r\n]*<[^<>\s@]+@[^<>\s@]+\.[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+\.[^<>\s@]+)$/;

/**
 * Installation config (`PLUGIN_CONFIG_EMAIL`). `smtpUrl` is the installation's alone: it decides
 * where the server connects, so an organization's admin must not aim it at the internal network.
 * `from` may be overridden per organization and project. A send without them fails with a sentence
 * naming what to set.
 */
export const configSchema = z.object({
  /** `smtp://user:password@host:587` (STARTTLS when offered) or `smtps://…:465`. Holds credentials. */
  smtpUrl: secret(
    installationOnly(z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' })),
  ).optional(),
  /** The From of alert mails. */
  from: z.string().regex(MAILBOX, 'must be an address, or "Name <address>"').optional(),
});

export type EmailConfig = z.infer<typeof configSchema>;

/** The action's config in an alert rule. */
export const actionConfigSchema = z.object({
  /** Recipients; each gets the same mail (one message, all of them in To). */
  to: z.array(z.email()).min(1).max(50),
  /** Replaces `[Faultline]` at the start of the subject (e.g. `[prod]`). */
  subjectPrefix: z.string().max(40).optional(),
});

export type EmailActionConfig = z.infer<typeof actionConfigSchema>;
