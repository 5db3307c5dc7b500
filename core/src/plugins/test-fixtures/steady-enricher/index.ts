// A plugin whose processEvent spends a fixed time computing (synchronously) per event, then tags it
// or, with `{ "fail": true }`, throws: for tests of time budgets when many events arrive at once.
import { z } from 'zod';
import { coreServices, definePlugin, withTag, type ConfigOf } from '@faultline/plugin-sdk';

const configSchema = z.object({ msPerEvent: z.number().default(2), fail: z.boolean().default(false) });

export default definePlugin({
  id: 'steady-enricher',
  version: '1.0.0',
  hostVersion: '*',
  configSchema,
  register(env) {
    env.registerInit({
      deps: { config: coreServices.config },
      init({ config }) {
        const { msPerEvent, fail } = config.value as ConfigOf<typeof configSchema>;
        return {
          hooks: {
            processEvent(event) {
              const until = performance.now() + msPerEvent;
              while (performance.now() < until) {
                // computing
              }
              if (fail) throw new Error('enrichment failed');
              return withTag(event, 'enriched', 'yes');
            },
          },
        };
      },
    });
  },
});
