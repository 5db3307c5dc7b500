import { definePlugin } from '@faultline/plugin-sdk';

/**
 * Benchmark plugin: processEvent works for 2 ms per event and then succeeds — a plugin that never
 * fails, so the host never pauses it, and its cost is paid on every event.
 */
export default definePlugin({
  id: 'bench-slow',
  version: '0.1.0',
  hostVersion: '*',
  register(env) {
    env.registerInit({
      deps: {},
      init: () => ({
        hooks: {
          processEvent: (event) => {
            const until = performance.now() + 2;
            while (performance.now() < until) {
              // Busy on purpose: stands for real per-event work (parsing, lookups).
            }
            return event;
          },
        },
      }),
    });
  },
});
