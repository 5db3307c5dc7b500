// A plugin with two issue actions, for the tests of issue actions (issue-actions.test.ts). Loaded by
// path, so it runs on a thread of its own like any installed plugin.
import { z } from 'zod';
import { coreServices, defineIssueAction, definePlugin, PluginError } from '@faultline/plugin-sdk';

export default definePlugin({
  id: 'tickets',
  version: '1.0.0',
  hostVersion: '*',
  description: 'Files tickets for issues',
  register(env) {
    env.registerInit({
      deps: { issues: coreServices.issues },
      init({ issues }) {
        const createTicket = defineIssueAction({
          id: 'create-ticket',
          label: 'Create ticket',
          description: 'Files a ticket and notes it on the issue',
          input: z.object({
            title: z.string().min(3),
            priority: z.enum(['low', 'high']).default('low'),
          }),
          // Not offered on issues already resolved.
          available: (issue) => issue.status !== 'resolved',
          async run({ issue, input, actor, changeOptions }) {
            if (input.title === 'refuse me')
              throw new PluginError('The ticket tracker is read-only today', { code: 'tracker_read_only' });
            if (input.title === 'crash me') throw new TypeError('tracker client blew up');
            if (input.title === 'hang me') {
              await Promise.resolve();
              for (;;);
            }
            // The note is the caller's: changeOptions records it with their user and surface.
            await issues.comment(issue.id, `Ticket filed: ${input.title} (${input.priority})`, changeOptions);
            const key = `tickets:${issue.shortId}`;
            return {
              message: `Filed ${key} for ${actor.surface} user ${actor.userId}`,
              url: `https://tickets.example/${issue.shortId}`,
              externalIssue: { key, url: `https://tickets.example/${issue.shortId}`, title: input.title },
            };
          },
        });
        const ping = defineIssueAction({
          id: 'ping',
          label: 'Ping',
          input: z.object({}),
          run: ({ issue }) => ({ message: `pong ${issue.shortId}` }),
        });
        return { hooks: {}, issueActions: [createTicket, ping] };
      },
    });
  },
});
