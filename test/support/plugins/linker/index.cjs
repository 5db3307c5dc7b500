// A third-party plugin in plain JavaScript linking stack frames to their source, as a code host's
// plugin (GitHub's) does: each in-app frame to a made-up URL naming its release, file and line.
const { definePlugin } = require('@faultline/plugin-sdk');

module.exports = definePlugin({
  id: 'linker',
  version: '1.0.0',
  hostVersion: '*',
  register(env) {
    env.registerInit({
      deps: {},
      init: () => ({
        hooks: {
          sourceLinks: ({ release, frames }) =>
            frames.map((frame) =>
              frame.filename ? `https://code.example/${release}/${frame.filename}#L${frame.lineno}` : null,
            ),
        },
      }),
    });
  },
});
