// The example plugin of README.md (there it imports from '@faultline/plugin-sdk').
import { coreServices, definePlugin, withTag, z } from '../index';

const configSchema = z.object({
  /** Value of the `team` tag added to every event. */
  team: z.string().min(1),
  /** Events whose request path is one of these are dropped. */
  healthCheckPaths: z.array(z.string().startsWith('/')).default(['/health', '/healthz']),
});

export default definePlugin({
  id: 'tag-and-drop',
  version: '1.0.0',
  hostVersion: '^0.1.0',
  configSchema,
  register(env) {
    env.registerInit({
      deps: { logger: coreServices.logger, config: coreServices.config, storage: coreServices.storage },
      async init({ logger, config, storage }) {
        // Typed from configSchema: the installation's config (PLUGIN_CONFIG_TAG_AND_DROP), validated.
        logger.info('ready', { team: config.value.team });
        return {
          hooks: {
            async processEvent(event, { projectId }) {
              // The config in effect for the event's project (organizations and projects may
              // override fields); worked out once per pipeline batch, so this costs no query.
              const { team, healthCheckPaths } = await config.forProject(projectId);
              const path = event.request?.url ? new URL(event.request.url, 'http://x').pathname : '';
              if (healthCheckPaths.includes(path)) {
                const dropped = (await storage.get<number>('dropped')) ?? 0;
                await storage.set('dropped', dropped + 1);
                return null;
              }
              return withTag(event, 'team', team);
            },
          },
        };
      },
    });
  },
});
