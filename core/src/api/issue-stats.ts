import type { Knex } from 'knex';
import { countIssueEvents } from '../issues';
import type { IssueStats } from './serializers/issue';

export type StatsPeriod = '24h' | '14d' | '30d';

const HOUR = 3600;
const DAY = 86_400;
const PERIODS: Record<StatsPeriod, { bucketSeconds: number; buckets: number }> = {
  '24h': { bucketSeconds: HOUR, buckets: 24 },
  '14d': { bucketSeconds: DAY, buckets: 14 },
  '30d': { bucketSeconds: DAY, buckets: 30 },
};

/**
 * Sentry's `stats` for each issue: for each period, event counts per bucket (hours for 24h, days
 * otherwise), oldest first, the last bucket being the current one. Counted by arrival time, which
 * the events index and partitions serve.
 */
export async function loadIssueStats(
  knex: Knex,
  issueIds: number[],
  periods: StatsPeriod[],
  now: Date = new Date(),
): Promise<Map<number, IssueStats>> {
  const result = new Map<number, IssueStats>(issueIds.map((id) => [id, {}]));
  const nowSeconds = Math.floor(now.getTime() / 1000);
  for (const period of periods) {
    const { bucketSeconds, buckets } = PERIODS[period];
    const lastBucket = Math.floor(nowSeconds / bucketSeconds) * bucketSeconds;
    const firstBucket = lastBucket - (buckets - 1) * bucketSeconds;
    const counts = await countIssueEvents(knex, issueIds, new Date(firstBucket * 1000), bucketSeconds);
    const byIssue = new Map<number, Map<number, number>>();
    for (const c of counts) {
      const perBucket = byIssue.get(c.issue_id) ?? new Map<number, number>();
      perBucket.set(Number(c.bucket), c.count);
      byIssue.set(c.issue_id, perBucket);
    }
    for (const id of issueIds) {
      const perBucket = byIssue.get(id);
      result.get(id)![period] = Array.from({ length: buckets }, (_, i) => {
        const bucket = firstBucket + i * bucketSeconds;
        return [bucket, perBucket?.get(bucket) ?? 0];
      });
    }
  }
  return result;
}
