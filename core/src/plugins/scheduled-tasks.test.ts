import assert from 'node:assert/strict';
import pino from 'pino';
import { coreServices, definePlugin } from '@faultline/plugin-sdk';
import { JobQueue } from '../jobs';
import { describeEachDatabase } from '../testing/databases';
import { PluginFailures } from './failures';
import { PluginHost } from './host';
import { startScheduledTasks } from './scheduled-tasks';
import { taskQueueName } from './scheduler';
import { waitFor } from '../testing/wait';

const silent = pino({ level: 'silent' });

describeEachDatabase('plugin scheduled tasks (core.scheduler on the job queue)', (ctx) => {
  it('registers a cron schedule per task and runs a tick once, isolated; a failing task is counted and retried', async function () {
    this.timeout(40_000);
    const runs: string[] = [];
    let flaky = 0;
    const plugin = definePlugin({
      id: 'nightly',
      version: '1.0.0',
      hostVersion: '*',
      register(env) {
        env.registerInit({
          deps: { scheduler: coreServices.scheduler },
          init({ scheduler }) {
            scheduler.schedule('sync', '*/5 * * * *', () => void runs.push('sync'));
            scheduler.schedule('flaky', '0 3 * * *', () => {
              flaky += 1;
              if (flaky === 1) throw new Error('transient');
            });
            return { hooks: {} };
          },
        });
      },
    });
    const failures = new PluginFailures(ctx.db.knex, silent);
    const host = await PluginHost.start([plugin], { knex: ctx.db.knex, log: silent, failures });
    assert.deepEqual(host.skipped, []);
    const queue = await JobQueue.start(ctx.db.knex, silent, { maintenance: false });
    try {
      // Left over from a plugin that is no longer installed.
      await queue.define('plugin.retired.task.cleanup');
      await queue.schedule('plugin.retired.task.cleanup', '0 * * * *');
      const names = await startScheduledTasks(host, { queue, log: silent, taskBudgetMs: 1000, retries: 1 });
      assert.deepEqual(names, [taskQueueName('nightly', 'sync'), taskQueueName('nightly', 'flaky')]);
      const schedules = await ctx.db.knex('pgboss.schedule').orderBy('name').select('name', 'cron');
      assert.deepEqual(
        schedules.map((s: { name: string; cron: string }) => [s.name, s.cron]),
        [
          ['plugin.nightly.task.flaky', '0 3 * * *'],
          ['plugin.nightly.task.sync', '*/5 * * * *'],
        ],
      );
      // A tick, as the cron would send it (once, cluster-wide).
      await queue.send(taskQueueName('nightly', 'sync'), {});
      await queue.send(taskQueueName('nightly', 'flaky'), {});
      await waitFor('both tasks', () => runs.length === 1 && flaky === 2);
      assert.deepEqual(runs, ['sync']);
      assert.equal((await failures.counts()).get('nightly')?.task, 1);
    } finally {
      await queue.stop();
    }
  });

  it('refuses a task with a bad cron: the plugin is skipped with a message', async () => {
    const plugin = definePlugin({
      id: 'bad-cron',
      version: '1.0.0',
      hostVersion: '*',
      register(env) {
        env.registerInit({
          deps: { scheduler: coreServices.scheduler },
          init({ scheduler }) {
            scheduler.schedule('often', 'every minute', () => undefined);
            return { hooks: {} };
          },
        });
      },
    });
    const host = await PluginHost.start([plugin], { knex: ctx.db.knex, log: silent });
    assert.match(host.skipped[0]?.reason ?? '', /"every minute" is not a five-field cron expression/);
  });
});
