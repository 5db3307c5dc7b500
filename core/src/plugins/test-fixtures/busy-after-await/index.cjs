/* global Buffer */
// A badly behaved third-party plugin in plain JavaScript, as it would be installed from npm.
const { coreServices, definePlugin, PluginError } = require('@faultline/plugin-sdk');

module.exports = definePlugin({
  id: 'busy-after-await',
  version: '1.0.0',
  hostVersion: '*',
  register(env) {
    env.registerInit({
      deps: {
        storage: coreServices.storage,
        config: coreServices.config,
        log: coreServices.logger,
        scheduler: coreServices.scheduler,
        router: coreServices.httpRouter,
      },
      init({ storage, config, log, scheduler, router }) {
        scheduler.schedule('remember', '*/5 * * * *', async () => {
          await storage.set('remembered', true);
        });
        scheduler.schedule('exit', '0 * * * *', () => process.exit(7));
        router.handle('POST', '/shout', (request) => ({
          status: 201,
          headers: { 'x-plugin': 'busy-after-await' },
          body: Buffer.from(request.rawBody.toString('utf8').toUpperCase()),
        }));
        return {
          hooks: {
            // The loop starts after an await: a node:vm timeout cannot interrupt it.
            async onIssueCreated() {
              await Promise.resolve();
              for (;;);
            },
            processEvent() {
              for (;;);
            },
            async onIssueRegressed(change) {
              log
                .child({ issueId: change.issueId })
                .info('issue regressed', { greeting: config.value.greeting });
              return { issueId: change.issueId, greeting: config.value.greeting };
            },
            async onIssueStateChanged(change) {
              const changes = ((await storage.get('changes')) ?? 0) + 1;
              await storage.set('changes', changes);
              await storage.set(`last:${change.issueId}`, { from: change.from, to: change.to });
              return { changes, keys: await storage.keys('last:') };
            },
            onComment() {
              throw new PluginError('the tracker is down; try again later', { code: 'tracker_down' });
            },
            onAlert() {
              return new Promise(() => undefined);
            },
          },
        };
      },
    });
  },
});
