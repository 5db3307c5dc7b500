import { definePlugin } from '@faultline/plugin-sdk';

/** Benchmark plugin: processEvent returns a promise that never settles. */
export default definePlugin({
  id: 'bench-hanging',
  version: '0.1.0',
  hostVersion: '*',
  register(env) {
    env.registerInit({
      deps: {},
      init: () => ({ hooks: { processEvent: () => new Promise<null>(() => undefined) } }),
    });
  },
});
