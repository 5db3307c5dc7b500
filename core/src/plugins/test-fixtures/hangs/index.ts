import { definePlugin } from '@faultline/plugin-sdk';

/** A plugin whose processEvent never settles. */
export default definePlugin({
  id: 'hangs',
  version: '1.0.0',
  hostVersion: '*',
  register(env) {
    env.registerInit({
      deps: {},
      init: () => ({ hooks: { processEvent: () => new Promise<null>(() => undefined) } }),
    });
  },
});
