import {
  coreServices,
  definePlugin,
  PluginConfigError,
  type AlertNotification,
  type EventsService,
  type InstallationsService,
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

/**
 * Who posts the cards of a project: the bot of the workspace its organization installed the Slack
 * app in through OAuth (the action's `workspace` when several were), else the configured
 * `botToken` (one workspace by settings).
 */
async function settingsFor(
  services: { config: PluginConfig; installations: InstallationsService },
  projectId: string,
  workspace: string | undefined,
): Promise<SlackSettings> {
  const effective = configSchema.parse(await services.config.forProject(projectId)) as SlackConfig;
  const apiUrl = effective.apiUrl ?? DEFAULT_SLACK_API_URL;
  const installed = (await services.installations.forProject(projectId)).filter((found) => found.botToken);
  const chosen = workspace ? installed.filter((found) => found.workspaceId === workspace) : installed;
  // A retry would meet the same settings: PluginConfigError fails the action at once.
  if (workspace && chosen.length === 0)
    throw new PluginConfigError(
      `slack: workspace ${workspace} has not installed the Slack app for the organization of project ${projectId}`,
    );
  if (chosen.length > 1)
    throw new PluginConfigError(
      `slack: the organization of project ${projectId} installed the Slack app in ${chosen.map((found) => found.workspaceId).join(', ')}; name the workspace in the action`,
    );
  if (chosen.length === 1) return { botToken: chosen[0].botToken!, apiUrl };
  if (!effective.botToken)
    throw new PluginConfigError(
      `slack: botToken not set for project ${projectId} and no workspace installed the Slack app for its organization (set it in PLUGIN_CONFIG_SLACK or the organization's plugin settings, or install the app)`,
    );
  return { botToken: effective.botToken, apiUrl };
}

async function sendAlert(
  services: {
    config: PluginConfig;
    installations: InstallationsService;
    issues: IssuesService;
    events: EventsService;
  },
  alert: AlertNotification,
): Promise<number> {
  const action = actionConfigSchema.parse(alert.config);
  const settings = await settingsFor(services, alert.project.id, action.workspace);
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
        installations: coreServices.installations,
      },
      init({ logger, config, issues, events, installations }) {
        return {
          hooks: {
            // Throws when Slack did not take the card: the host retries with backoff. A card already
            // in the channel is not posted twice (a retry after a post that was recorded replies in its thread).
            onAlert: async (alert) => {
              const cards = await sendAlert({ config, installations, issues, events }, alert);
              logger.info('alert card posted', { alert: alert.id, rule: alert.rule.id, cards });
            },
          },
        };
      },
    });
  },
});
