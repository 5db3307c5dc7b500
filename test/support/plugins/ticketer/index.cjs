// A third-party plugin in plain JavaScript offering one issue action: it files a "ticket" by
// commenting on the issue as the caller, and refuses a title it was told to refuse.
const { coreServices, defineIssueAction, definePlugin, PluginError, z } = require('@faultline/plugin-sdk');

module.exports = definePlugin({
  id: 'ticketer',
  version: '1.0.0',
  hostVersion: '*',
  register(env) {
    env.registerInit({
      deps: { issues: coreServices.issues },
      init: ({ issues }) => ({
        hooks: {},
        issueActions: [
          defineIssueAction({
            id: 'file-ticket',
            label: 'File ticket',
            input: z.object({ title: z.string().min(3) }),
            async run({ issue, input, changeOptions }) {
              if (input.title === 'refuse me') throw new PluginError('Tickets are closed today');
              await issues.comment(issue.id, `Ticket: ${input.title}`, changeOptions);
              return { message: `Filed "${input.title}" for ${issue.shortId}` };
            },
          }),
        ],
      }),
    });
  },
});
