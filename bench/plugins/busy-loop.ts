import { definePlugin } from '@faultline/plugin-sdk';

/** Benchmark plugin: processEvent spins forever on the thread that calls it. */
export default definePlugin({
  id: 'bench-busy-loop',
  version: '0.1.0',
  hostVersion: '*',
  register(env) {
    env.registerInit({
      deps: {},
      init: () => ({
        hooks: {
          processEvent: () => {
            for (;;) {
              // Never returns: only the host's time budget stops it.
            }
          },
        },
      }),
    });
  },
});
