// A plain-JavaScript plugin with the mistakes no type checker caught: a misspelled service and hook.
const { coreServices, definePlugin } = require('@faultline/plugin-sdk');

module.exports = definePlugin({
  id: 'misspelled',
  version: '1.0.0',
  hostVersion: '*',
  register(env) {
    env.registerInit({
      deps: { storage: coreServices.storage, store: coreServices.stroage },
      init: () => ({ hooks: { processEvents: (event) => event } }),
    });
  },
});
