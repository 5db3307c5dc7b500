// A plugin with an alert action and an HTTP route, for tests of the processes that load plugins.
import { z } from 'zod';
import { coreServices, definePlugin } from '@faultline/plugin-sdk';

export default definePlugin({
  id: 'notifier',
  version: '1.0.0',
  hostVersion: '*',
  description: 'Tells a room about alerts',
  actionConfigSchema: z.strictObject({ room: z.string().startsWith('#') }),
  register(env) {
    env.registerInit({
      deps: { router: coreServices.httpRouter, storage: coreServices.storage },
      init({ router, storage }) {
        router.handle('POST', '/echo', (request) => ({
          status: 200,
          body: { got: request.rawBody.toString('utf8') },
        }));
        return {
          hooks: {
            // What it was told, where a test can read it.
            onAlert: (alert) =>
              storage.set(`alert:${alert.id}`, { room: alert.config.room, issues: alert.issues.length }),
            onIssueCreated: (change) => storage.set(`created:${change.issueId}`, true),
          },
        };
      },
    });
  },
});
