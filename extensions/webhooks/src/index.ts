import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  coreServices,
  definePlugin,
  secret,
  type AlertNotification,
  type ChangeActor,
  type HttpClient,
  type IssueRef,
  type Logger,
} from '@faultline/plugin-sdk';
import { DEFAULT_DELIVERY, deliver } from './deliver';

export { computeSignature, signatureHeader, verifySignature, SIGNATURE_HEADER } from './signing';
export { deliver, DEFAULT_DELIVERY, type DeliveryOptions, type DeliveryResult } from './deliver';

/**
 * A plain (non-strict) object: unknown fields are dropped when the config is parsed. That includes
 * `allowPrivateAddresses` from older configs, which no longer has any effect: whether private
 * destinations may be reached is the installation's choice (`PLUGINS_ALLOW_PRIVATE_NETWORKS`), not
 * an organization's.
 */
export const configSchema = z.object({
  /** Where every issue change and alert is POSTed (http or https). */
  urls: z.array(z.url({ protocol: /^https?$/ })).min(1),
  /** Shared secret for the `Faultline-Signature` HMAC. Stored encrypted; never logged. */
  secret: secret(z.string().min(16)),
});

/** The action's config in an alert rule: optionally other URLs than the plugin's own for this rule. */
export const actionConfigSchema = z.strictObject({
  urls: z
    .array(z.url({ protocol: /^https?$/ }))
    .min(1)
    .optional(),
});

export type WebhooksConfig = z.infer<typeof configSchema>;

export type WebhookEventName = 'issue.created' | 'issue.regressed' | 'issue.state_changed' | 'alert.fired';

/** The JSON body of every webhook. */
export interface WebhookPayload {
  /** Unique per hook call (for alerts: the alert id); the same across retries and URLs. */
  id: string;
  event: WebhookEventName;
  /** ISO time the change was handed to the plugin. */
  sentAt: string;
  issue?: { id: string; projectId: string };
  change?: { from: string; to: string; actor: ChangeActor };
  /** For `alert.fired`: the rule, project and issues, as the host notified them. */
  alert?: Omit<AlertNotification, 'config'>;
}

async function post(
  http: HttpClient,
  log: Logger,
  config: WebhooksConfig,
  urls: string[],
  payload: WebhookPayload,
): Promise<void> {
  const body = JSON.stringify(payload);
  const options = { ...DEFAULT_DELIVERY, secret: config.secret };
  const results = await Promise.all(
    urls.map((url) => deliver(http, url, payload.event, payload.id, body, options)),
  );
  for (const r of results) {
    const fields = {
      url: r.url,
      event: payload.event,
      delivery: payload.id,
      attempts: r.attempts,
      status: r.status,
    };
    if (r.ok) log.debug('webhook delivered', fields);
    // `code` says why, e.g. `destination_refused` for a private address the installation does not allow.
    else log.warn('webhook not delivered', { ...fields, error: r.error, code: r.code });
  }
  // Failures are logged, not thrown: a throw would make the host call the hook again and re-send to
  // the URLs that did get the payload.
}

function issuePayload(
  event: Exclude<WebhookEventName, 'alert.fired'>,
  change: IssueRef & { from?: string; to?: string; actor?: ChangeActor },
): WebhookPayload {
  const payload: WebhookPayload = {
    id: randomUUID(),
    event,
    sentAt: new Date().toISOString(),
    issue: { id: change.issueId, projectId: change.projectId },
  };
  if (change.from !== undefined && change.to !== undefined && change.actor) {
    payload.change = { from: change.from, to: change.to, actor: change.actor };
  }
  return payload;
}

export default definePlugin({
  id: 'webhooks',
  version: '0.2.0',
  hostVersion: '^0.1.0',
  description: 'Signed JSON webhooks for issue changes and alerts',
  configSchema,
  actionConfigSchema,
  register(env) {
    env.registerInit({
      deps: { logger: coreServices.logger, config: coreServices.config, http: coreServices.http },
      init({ logger, config, http }) {
        // The config in effect differs per project (organization and project settings), so it is
        // read per call rather than once here.
        const configFor = async (projectId: string) => configSchema.parse(await config.forProject(projectId));
        const emit = async (
          event: Exclude<WebhookEventName, 'alert.fired'>,
          change: IssueRef & { from?: string; to?: string; actor?: ChangeActor },
        ) => {
          const cfg = await configFor(change.projectId);
          await post(http, logger, cfg, cfg.urls, issuePayload(event, change));
        };
        return {
          hooks: {
            onIssueCreated: (change) => emit('issue.created', change),
            onIssueRegressed: (change) => emit('issue.regressed', change),
            onIssueStateChanged: (change) => emit('issue.state_changed', change),
            onAlert: async (alert) => {
              const cfg = await configFor(alert.project.id);
              const action = actionConfigSchema.parse(alert.config);
              const { config: _actionConfig, ...rest } = alert;
              const payload: WebhookPayload = {
                id: alert.id,
                event: 'alert.fired',
                sentAt: new Date().toISOString(),
                alert: rest,
              };
              await post(http, logger, cfg, action.urls ?? cfg.urls, payload);
            },
          },
        };
      },
    });
  },
});
