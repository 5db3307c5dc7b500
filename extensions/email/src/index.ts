import {
  coreServices,
  definePlugin,
  PluginConfigError,
  type AlertNotification,
  type PluginConfig,
} from '@faultline/plugin-sdk';
import { actionConfigSchema, configSchema, type EmailConfig } from './config';
import { renderAlertMail } from './render';
import { sendAlertMail, type SmtpSettings } from './send';

export { configSchema, actionConfigSchema, type EmailConfig, type EmailActionConfig } from './config';
export {
  renderAlertMail,
  renderSubject,
  renderText,
  renderHtml,
  escapeHtml,
  DEFAULT_SUBJECT_PREFIX,
  type RenderedMail,
} from './render';
export {
  sendAlertMail,
  messageIdFor,
  ALERT_ID_HEADER,
  SMTP_TIMEOUTS,
  SEND_DEADLINE_MS,
  SmtpSendError,
  type SmtpSettings,
} from './send';

/** Where each setting can be given, for the message when it is missing. */
const WHERE_TO_SET = {
  smtpUrl: 'PLUGIN_CONFIG_EMAIL (the installation config)',
  from: 'PLUGIN_CONFIG_EMAIL or the organization or project plugin settings',
} as const;

/**
 * The SMTP settings in effect for the alert's project. A missing one throws `PluginConfigError`
 * (code `plugin_config_invalid`): the host marks the action failed at once, as a retry would meet the
 * same settings.
 */
async function smtpSettingsFor(config: PluginConfig, projectId: string): Promise<SmtpSettings> {
  const effective = configSchema.parse(await config.forProject(projectId)) as EmailConfig;
  const missing = (['smtpUrl', 'from'] as const).filter((field) => !effective[field]);
  if (missing.length > 0)
    throw new PluginConfigError(
      `email: ${missing.join(' and ')} not set for project ${projectId} ` +
        `(set ${missing.map((field) => `${field} in ${WHERE_TO_SET[field]}`).join(', and ')})`,
    );
  return { smtpUrl: effective.smtpUrl!, from: effective.from! };
}

async function sendAlert(config: PluginConfig, alert: AlertNotification): Promise<void> {
  // The host validated the action config already; parsing again gives the typed value.
  const action = actionConfigSchema.parse(alert.config);
  const smtp = await smtpSettingsFor(config, alert.project.id);
  const mail = renderAlertMail(alert, action.subjectPrefix);
  await sendAlertMail(smtp, { ...mail, to: action.to, alertId: alert.id });
}

export default definePlugin({
  id: 'email',
  version: '0.1.0',
  hostVersion: '^0.1.0',
  description: 'Send alerts by email (SMTP), as plain text and HTML',
  configSchema,
  actionConfigSchema,
  register(env) {
    env.registerInit({
      deps: { logger: coreServices.logger, config: coreServices.config },
      init({ logger, config }) {
        const installation = config.value as EmailConfig;
        logger.info('ready', { smtpConfigured: Boolean(installation.smtpUrl) });
        return {
          hooks: {
            // Throws when the mail was not taken: the host retries the notification with backoff,
            // and the retry carries the same alert id (header and Message-ID) for deduplication.
            onAlert: async (alert) => {
              await sendAlert(config, alert);
              logger.info('alert mail sent', {
                alert: alert.id,
                rule: alert.rule.id,
                issues: alert.issues.length,
                recipients: (alert.config.to as unknown[] | undefined)?.length,
              });
            },
          },
        };
      },
    });
  },
});
