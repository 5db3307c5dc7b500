// A third-party plugin as it would live in its own folder: it imports only the SDK's package.
import { coreServices, definePlugin, tagValue, withTag } from '@faultline/plugin-sdk';

export default definePlugin({
  id: 'release-stamp',
  version: '2.0.0',
  hostVersion: '>=0.1.0 <1',
  register(env) {
    env.registerInit({
      deps: { storage: coreServices.storage },
      init: ({ storage }) => ({
        hooks: {
          async processEvent(event) {
            const seen = ((await storage.get<number>('seen')) ?? 0) + 1;
            await storage.set('seen', seen);
            return tagValue(event, 'release-stamp')
              ? event
              : withTag(event, 'release-stamp', event.release ?? 'none');
          },
        },
      }),
    });
  },
});
