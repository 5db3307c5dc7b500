import { coreServices, definePlugin, type IssueChange } from '@faultline/plugin-sdk';
import { issueActions } from './actions';
import { onAssigned } from './assignees';
import { actionConfigSchema, configSchema } from './config';
import { CALLBACK_PATH, CONNECT_PATH, finishConnect, startConnect } from './connect';
import type { Services } from './context';
import { createGitHubIssue } from './create-link';
import { sourceLinks } from './frame-links';
import { poll } from './poll';
import { onComment, onRegressed, onStateChanged } from './sync-out';
import { rememberProject } from './tracked';
import { handleWebhook, pruneDeliveries } from './webhook';

export {
  configSchema,
  actionConfigSchema,
  type GitHubConfig,
  type Connection,
  type CodeMapping,
} from './config';
export { frameLink, releaseCommit, webUrlOf } from './source-links';
export { shortIdsFixedBy } from './commits';
export { linkKey, parseIssueReference } from './links';
export { rateLimitWait } from './client';
export { callbackUrl } from './connect';

export default definePlugin({
  id: 'github',
  version: '0.1.0',
  hostVersion: '^0.1.0',
  description: 'GitHub issues: create and link them, keep them in sync both ways, resolve by commit',
  configSchema,
  actionConfigSchema,
  register(env) {
    env.registerInit({
      deps: {
        logger: coreServices.logger,
        config: coreServices.config,
        issues: coreServices.issues,
        events: coreServices.events,
        storage: coreServices.storage,
        http: coreServices.http,
        scheduler: coreServices.scheduler,
        httpRouter: coreServices.httpRouter,
        linkedAccounts: coreServices.linkedAccounts,
      },
      init({ scheduler, httpRouter, ...deps }) {
        const services: Services = deps;
        httpRouter.handle('POST', '/webhook', (request) => handleWebhook(services, request));
        // "Connect GitHub" from the web UI's linked accounts: GitHub's OAuth web flow, then the link.
        httpRouter.handle('GET', CONNECT_PATH, (request) => startConnect(services, request));
        httpRouter.handle('GET', CALLBACK_PATH, (request) => finishConnect(services, request));
        // No background work unless the installation asked for it: an installation that never turns
        // GitHub on runs no task at all.
        const installation = configSchema.parse(deps.config.value);
        if (installation.polling) scheduler.schedule('poll', '* * * * *', () => poll(services));
        if (installation.webhookSecret)
          scheduler.schedule('prune-deliveries', '17 3 * * *', () => pruneDeliveries(services));
        return {
          // "Create GitHub issue" and "Link existing GitHub issue", for the web UI, VS Code and Slack.
          issueActions: issueActions(services),
          hooks: {
            // Only the poll needs to know which projects use GitHub (to poll their repositories' commits).
            ...(installation.polling
              ? { onIssueCreated: (change: IssueChange) => rememberProject(services, change.projectId) }
              : {}),
            onIssueStateChanged: (change) => onStateChanged(services, change),
            onIssueRegressed: (change) => onRegressed(services, change),
            onComment: (change) => onComment(services, change),
            onIssueAssigned: (change) => onAssigned(services, change),
            // Stack frames' lines on GitHub, for the event detail of the REST API (web UI, VS Code).
            sourceLinks: (request) => sourceLinks(services, request),
            /**
             * "Create a GitHub issue" as an alert action: one per Faultline issue and repository, however
             * often the rule fires (a second fire finds the link the first made).
             */
            onAlert: async (alert) => {
              const action = actionConfigSchema.parse(alert.config);
              for (const { issue } of alert.issues) {
                const { link, created } = await createGitHubIssue(services, issue, action);
                services.logger.info(created ? 'github issue created' : 'github issue already linked', {
                  issue: issue.id,
                  github: link.key,
                  alert: alert.id,
                });
              }
            },
          },
        };
      },
    });
  },
});
