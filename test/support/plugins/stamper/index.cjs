// A third-party processEvent plugin in plain JavaScript, as installed from npm: it stamps every
// event with a tag and drops the ones whose message asks for it.
const { definePlugin, withTag } = require('@faultline/plugin-sdk');

module.exports = definePlugin({
  id: 'stamper',
  version: '1.0.0',
  hostVersion: '*',
  register(env) {
    env.registerInit({
      deps: {},
      init: () => ({
        hooks: {
          processEvent: (event) => (event.message === 'drop me' ? null : withTag(event, 'stamped', 'yes')),
        },
      }),
    });
  },
});
