import type { Knex } from 'knex';
import type { JobQueue } from '../jobs';
import type { Logger } from '../logging';
import type { AlertActionPort } from './actions';
import { AlertEvaluator } from './evaluator';
import { ALERT_QUEUES, closeDigest, type ActionJob, type DigestJob } from './fires';
import { evaluateFrequencyRules } from './frequency';
import { runActionJob } from './notify';

export interface AlertWorkersOptions {
  knex: Knex;
  queue: JobQueue;
  log: Logger;
  /** Base of issue permalinks in notifications (`config.http.publicUrl`). */
  publicUrl: string;
  /**
   * Where actions are carried out. Absent in a process without plugins: this process then takes no
   * action jobs (they wait for a process that has the port), but still evaluates rules.
   */
  actions?: AlertActionPort;
  /** Action job retries after the first attempt (default 4) and the first delay (default 10 s, doubling). */
  retry?: { limit: number; delaySeconds: number };
  /** Action jobs run at once in this process (default 2). */
  actionConcurrency?: number;
  /** Schedule the frequency evaluation every minute (default true; only processes whose queue runs maintenance fire it). */
  schedule?: boolean;
}

export interface AlertWorkers {
  evaluator: AlertEvaluator;
  /** Stops the outbox evaluator; the job handlers stop with the queue. */
  stop(): Promise<void>;
}

/**
 * Everything alerts run in a worker process: the outbox evaluator (change triggers), and the job
 * handlers for action jobs, digest windows and the per-minute frequency evaluation (scheduled once
 * cluster-wide by the queue's cron).
 */
export async function startAlertWorkers(options: AlertWorkersOptions): Promise<AlertWorkers> {
  const { knex, queue, log } = options;
  const retry = options.retry ?? { limit: 4, delaySeconds: 10 };
  await queue.define(ALERT_QUEUES.action, {
    retryLimit: retry.limit,
    retryDelaySeconds: retry.delaySeconds,
    retryBackoff: true,
    expireInSeconds: 120,
  });
  await queue.define(ALERT_QUEUES.digest, { retryLimit: 5, retryDelaySeconds: 5, expireInSeconds: 60 });
  // A failed round is not retried: the next minute's round looks again.
  await queue.define(ALERT_QUEUES.frequency, { retryLimit: 0, expireInSeconds: 55 });

  const port = options.actions;
  if (port)
    await queue.work<ActionJob>(
      ALERT_QUEUES.action,
      async (job, { retryCount }) => {
        try {
          const outcome = await runActionJob(
            knex,
            port,
            job,
            { retryCount, retryLimit: retry.limit },
            options.publicUrl,
          );
          if (outcome.status === 'failed')
            log.warn({ job, error: outcome.error }, 'alert action failed; not retried (it would fail again)');
        } catch (err) {
          log.warn({ err, job, retryCount }, 'alert action failed');
          throw err;
        }
      },
      options.actionConcurrency ?? 2,
    );
  await queue.work<DigestJob>(ALERT_QUEUES.digest, (job) => closeDigest(knex, queue, job.digestId));
  await queue.work(ALERT_QUEUES.frequency, async () => {
    const round = await evaluateFrequencyRules(knex, queue, new Date());
    if (round.fires > 0) log.info(round, 'frequency alert rules fired');
  });
  if (options.schedule ?? true) await queue.schedule(ALERT_QUEUES.frequency, '* * * * *');

  const evaluator = new AlertEvaluator({ knex, log, queue });
  await evaluator.start();
  return { evaluator, stop: () => evaluator.stop() };
}
