import {
  coreServices,
  definePlugin,
  PluginConfigError,
  type AlertNotification,
  type EventsService,
  type IssuesService,
  type PluginConfig,
} from '@faultline/plugin-sdk';
import { actionConfigSchema, configSchema, DEFAULT_SLACK_API_URL, type SlackConfig } from './config';
import { postAlertCard, slackClient, type SlackSettings } from './post';

export {
  buildCard,
  type Block,
  CARD_ACTIONS,
  type CardIssue,
  type CardContext,
  type CardAction,
  type CardAssignee,
  type SlackMessage,
} from './card';
export { cardKey, parseCardKey, type PostedCard } from './cards';
export { BLOCK_KIT, trim, mrkdwn, escapeMrkdwn } from './limits';
export {
  configSchema,
  actionConfigSchema,
  DEFAULT_SLACK_API_URL,
  type SlackConfig,
  type SlackActionConfig,
} from './config';

async function settingsFor(config: PluginConfig, projectId: string): Promise<SlackSettings> {
  const effective = configSchema.parse(await config.forProject(projectId)) as SlackConfig;
  // A retry would meet the same settings: PluginConfigError fails the action at once.
  if (!effective.botToken)
    throw new PluginConfigError(
      `slack: botToken not set for project ${projectId} (set it in PLUGIN_CONFIG_SLACK or the organization's plugin settings)`,
    );
  return { botToken: effective.botToken, apiUrl: effective.apiUrl ?? DEFAULT_SLACK_API_URL };
}

async function sendAlert(
  services: { config: PluginConfig; issues: IssuesService; events: EventsService },
  alert: AlertNotification,
): Promise<number> {
  const action = actionConfigSchema.parse(alert.config);
  const settings = await settingsFor(services.config, alert.project.id);
  const deps = { ...services, client: slackClient(settings), token: settings.botToken };
  for (const fired of alert.issues) await postAlertCard(deps, action, alert.rule, fired);
  return alert.issues.length;
}

export default definePlugin({
  id: 'slack',
  version: '0.1.0',
  hostVersion: '^0.1.0',
  description: 'Post alerts to Slack channels as cards the Slack app keeps true',
  configSchema,
  actionConfigSchema,
  register(env) {
    env.registerInit({
      deps: {
        logger: coreServices.logger,
        config: coreServices.config,
        issues: coreServices.issues,
        events: coreServices.events,
      },
      init({ logger, config, issues, events }) {
        return {
          hooks: {
            // Throws when Slack did not take the card: the host retries with backoff. A card already
            // in the channel is not posted twice (a retry after a post that was recorded replies in its thread).
            onAlert: async (alert) => {
              const cards = await sendAlert({ config, issues, events }, alert);
              logger.info('alert card posted', { alert: alert.id, rule: alert.rule.id, cards });
            },
          },
        };
      },
    });
  },
});
