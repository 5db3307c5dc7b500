/**
 * The job queue (pg-boss on Faultline's own database): durable jobs with retries, backoff and
 * timeouts, and cron schedules that fire once across processes.
 */
export {
  JobQueue,
  type JobQueueOptions,
  type QueueSettings,
  type SendOptions,
  type JobHandler,
  type JobContext,
} from './job-queue';
export { knexDb } from './db-adapter';
