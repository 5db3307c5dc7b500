import type { Knex } from 'knex';
import { columnBindings, DatabaseSignals, signalsOf } from '../db';
import type { NewIssueChange } from './kinds';

/**
 * Writes changes into the outbox, inside the caller's transaction: they become visible exactly when
 * (and if) the change itself commits. Each row carries its transaction's id (`txid`, by default),
 * which orders the stream (see `read.ts`). Once the transaction commits, consumers in every process
 * are told to look (`changes` signal).
 */
export async function recordIssueChanges(trx: Knex.Transaction, changes: NewIssueChange[]): Promise<void> {
  if (changes.length === 0) return;
  await trx.raw(
    `INSERT INTO issue_changes (organization_id, project_id, issue_id, kind, surface, actor_user_id, data)
     SELECT p.organization_id, i.project_id, c.issue_id, c.kind, c.surface, c.actor, c.data::json
       FROM unnest(?::int[], ?::text[], ?::text[], ?::int[], ?::text[]) WITH ORDINALITY
            AS c(issue_id, kind, surface, actor, data, n)
       JOIN issues i ON i.id = c.issue_id
       JOIN projects p ON p.id = i.project_id
      ORDER BY c.n`,
    columnBindings(
      changes.map((c) => c.issueId),
      changes.map((c) => c.kind),
      changes.map((c) => c.surface),
      changes.map((c) => c.actorUserId ?? null),
      changes.map((c) => JSON.stringify(c.data ?? {})),
    ),
  );
  const signals = signalsOf(trx);
  if (signals) DatabaseSignals.afterCommit(trx, () => signals.announce('changes'));
}
