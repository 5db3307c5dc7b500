import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  coreServices,
  definePlugin,
  type ChangeActor,
  type IssueRef,
  type Logger,
} from '@faultline/plugin-sdk';
import { DEFAULT_DELIVERY, deliver, type DeliveryOptions } from './deliver';

export { isPrivateAddress, resolvePublicAddresses, DestinationRefusedError } from './address-guard';
export { computeSignature, signatureHeader, verifySignature, SIGNATURE_HEADER } from './signing';
export { deliver, DEFAULT_DELIVERY, type DeliveryOptions, type DeliveryResult } from './deliver';

export const configSchema = z.object({
  /** Where every issue change is POSTed (http or https). */
  urls: z.array(z.url({ protocol: /^https?$/ })).min(1),
  /** Shared secret for the `Faultline-Signature` HMAC. Secret: never log or commit it. */
  secret: z.string().min(16),
  /** Allow private, loopback and link-local destinations (off by default: SSRF protection). */
  allowPrivateAddresses: z.boolean().default(false),
});

export type WebhooksConfig = z.infer<typeof configSchema>;

export type WebhookEventName = 'issue.created' | 'issue.regressed' | 'issue.state_changed';

/** The JSON body of every webhook. */
export interface WebhookPayload {
  /** Unique per hook call; the same across retries and URLs (use it to drop duplicates). */
  id: string;
  event: WebhookEventName;
  /** ISO time the change was handed to the plugin. */
  sentAt: string;
  issue: { id: string; projectId: string };
  change?: { from: string; to: string; actor: ChangeActor };
}

async function send(
  log: Logger,
  config: WebhooksConfig,
  delivery: Omit<DeliveryOptions, 'secret' | 'allowPrivateAddresses'>,
  event: WebhookEventName,
  change: IssueRef & { from?: string; to?: string; actor?: ChangeActor },
): Promise<void> {
  const payload: WebhookPayload = {
    id: randomUUID(),
    event,
    sentAt: new Date().toISOString(),
    issue: { id: change.issueId, projectId: change.projectId },
  };
  if (change.from !== undefined && change.to !== undefined && change.actor) {
    payload.change = { from: change.from, to: change.to, actor: change.actor };
  }
  const body = JSON.stringify(payload);
  const options = { ...delivery, secret: config.secret, allowPrivateAddresses: config.allowPrivateAddresses };
  const results = await Promise.all(config.urls.map((url) => deliver(url, event, payload.id, body, options)));
  for (const r of results) {
    const fields = { url: r.url, event, delivery: payload.id, attempts: r.attempts, status: r.status };
    if (r.ok) log.debug('webhook delivered', fields);
    else log.warn('webhook not delivered', { ...fields, error: r.error });
  }
  // Failures are logged, not thrown: a throw would make the host call the hook again and re-send to
  // the URLs that did get the payload.
}

export default definePlugin({
  id: 'webhooks',
  version: '0.1.0',
  hostVersion: '^0.1.0',
  configSchema,
  register(env) {
    env.registerInit({
      deps: { logger: coreServices.logger, config: coreServices.config },
      init({ logger, config }) {
        const cfg = configSchema.parse(config.value);
        logger.info('ready', { urls: cfg.urls.length, allowPrivateAddresses: cfg.allowPrivateAddresses });
        const emit = (event: WebhookEventName, change: Parameters<typeof send>[4]) =>
          send(logger, cfg, DEFAULT_DELIVERY, event, change);
        return {
          hooks: {
            onIssueCreated: (change) => emit('issue.created', change),
            onIssueRegressed: (change) => emit('issue.regressed', change),
            onIssueStateChanged: (change) => emit('issue.state_changed', change),
          },
        };
      },
    });
  },
});
