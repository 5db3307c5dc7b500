import { z } from 'zod';
import {
  coreServices,
  definePlugin,
  PluginError,
  secret,
  type AlertNotification,
  type ChangeActor,
  type IssueSummary,
  type HttpClient,
  type IssueChange,
  type Logger,
} from '@faultline/plugin-sdk';
import { DEFAULT_DELIVERY, deliver, type DeliveryResult } from './deliver';

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
  /**
   * Unique per change (issue events: the host's change id; alerts: the alert notification id); the
   * same across retries and URLs. Also sent as `Faultline-Delivery`.
   */
  id: string;
  event: WebhookEventName;
  /** ISO time the change was handed to the plugin. */
  sentAt: string;
  /** For issue events: the ids, plus the issue as it is when the hook runs (title, status, counts…). */
  issue?: { id: string; projectId: string; summary?: IssueSummary };
  change?: { from: string; to: string; actor: ChangeActor };
  /** For `alert.fired`: the rule, project and issues, as the host notified them. */
  alert?: Omit<AlertNotification, 'config'>;
}

/**
 * Host error codes of a delivery that would fail the same way on every retry: the installation refuses
 * the destination, or the URL is not one. Retrying the hook would not help, so these are only logged
 * (issue hooks) or fail the alert action at once (see `notDelivered`).
 */
const FINAL_CODES = new Set(['destination_refused', 'invalid_url']);

/**
 * The error to throw for the URLs that did not get the payload, or undefined when all did. Any
 * failure worth another try (network, timeout, an HTTP error status) makes it a plain
 * `webhook_not_delivered`, which the host retries with backoff (re-sending to every URL, with the
 * same `Faultline-Delivery` id, so receivers drop what they already have). When only final failures
 * remain, it carries their code (`destination_refused`, `invalid_url`).
 */
function notDelivered(payload: WebhookPayload, results: DeliveryResult[]): PluginError | undefined {
  const failed = results.filter((r) => !r.ok);
  if (failed.length === 0) return undefined;
  const reasons = failed.map((r) => `${r.url}: ${r.error ?? 'failed'}`).join('; ');
  const message = `webhook ${payload.id} not delivered to ${failed.length} of ${results.length} URL(s): ${reasons}`;
  const retryable = failed.some((r) => r.code === undefined || !FINAL_CODES.has(r.code));
  return new PluginError(message, { code: retryable ? 'webhook_not_delivered' : failed[0].code });
}

async function post(
  http: HttpClient,
  log: Logger,
  config: WebhooksConfig,
  urls: string[],
  payload: WebhookPayload,
): Promise<DeliveryResult[]> {
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
  return results;
}

/** The argument of the issue hooks this plugin has (`from`, `to`, `actor` for a state change). */
type HookedChange = IssueChange & { from?: string; to?: string; actor?: ChangeActor };

function issuePayload(
  event: Exclude<WebhookEventName, 'alert.fired'>,
  change: HookedChange,
  summary: IssueSummary | undefined,
): WebhookPayload {
  const payload: WebhookPayload = {
    // The host's id of the change: the same when the hook is called again, so receivers can drop
    // a repeated delivery.
    id: change.changeId,
    event,
    sentAt: new Date().toISOString(),
    issue: { id: change.issueId, projectId: change.projectId, ...(summary ? { summary } : {}) },
  };
  if (change.from !== undefined && change.to !== undefined && change.actor) {
    payload.change = { from: change.from, to: change.to, actor: change.actor };
  }
  return payload;
}

export default definePlugin({
  id: 'webhooks',
  version: '0.3.0',
  hostVersion: '^0.1.0',
  description: 'Signed JSON webhooks for issue changes and alerts',
  configSchema,
  actionConfigSchema,
  register(env) {
    env.registerInit({
      deps: {
        logger: coreServices.logger,
        config: coreServices.config,
        http: coreServices.http,
        issues: coreServices.issues,
      },
      init({ logger, config, http, issues }) {
        // The config in effect differs per project (organization and project settings), so it is
        // read per call rather than once here.
        const configFor = async (projectId: string) => configSchema.parse(await config.forProject(projectId));
        const emit = async (event: Exclude<WebhookEventName, 'alert.fired'>, change: HookedChange) => {
          const cfg = await configFor(change.projectId);
          // Receivers want to know what the issue is, not only its id (it may be gone since: then ids only).
          const summary = await issues.get(change.issueId).catch(() => undefined);
          const payload = issuePayload(event, change, summary);
          const failure = notDelivered(payload, await post(http, logger, cfg, cfg.urls, payload));
          // A failure worth retrying is thrown (the host calls the hook again, with the same change id);
          // a refused destination or a bad URL would fail again, and was logged above.
          if (failure?.code === 'webhook_not_delivered') throw failure;
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
              const results = await post(http, logger, cfg, action.urls ?? cfg.urls, payload);
              // Thrown in every case, so the action is not marked sent: retried with backoff by the
              // alert job, or failed at once for a final code (a refused destination).
              const failure = notDelivered(payload, results);
              if (failure) throw failure;
            },
          },
        };
      },
    });
  },
});
