import type { Knex } from 'knex';
import { readChangesAfter, type IssueChangeRecord } from '../changes';

/** The newest outbox row id so far: what a test's own changes come after. */
export async function lastChangeId(knex: Knex): Promise<number> {
  return Number((await knex('issue_changes').max('id as id').first())?.id ?? 0);
}

/**
 * The organization's changes recorded after row `after`, once `expected` of them are readable (or
 * after 10 s): on a shared Postgres server another client's open transaction holds back delivery for
 * a moment (see changes/read.ts).
 */
export async function changesSince(
  knex: Knex,
  organizationId: number,
  after: number,
  expected: number,
): Promise<IssueChangeRecord[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const all = await readChangesAfter(knex, { organizationId, after: { txid: '0', id: '0' }, limit: 1000 });
    const changes = all.filter((c) => c.id > after);
    if (changes.length >= expected || Date.now() > deadline) return changes;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
