import type { Knex } from 'knex';
import { recordIssueChanges, type ChangeSurface } from '../changes';

/** Comments (Sentry's "notes") on issues: one path for the REST API and plugins alike. */

/** Long enough for a stack trace pasted into a comment; longer text is refused, not cut. */
export const MAX_COMMENT_CHARS = 10_000;

export interface IssueCommentRow {
  id: number;
  issue_id: number;
  user_id: number | null;
  text: string;
  created_at: Date;
  user_email: string | null;
  user_name: string | null;
}

/** What is wrong with a comment's text, as a phrase ("is empty"); undefined when it may be posted. */
export function commentTextProblem(text: string): string | undefined {
  if (text.trim() === '') return 'is empty';
  if (text.length > MAX_COMMENT_CHARS) return `is longer than ${MAX_COMMENT_CHARS} characters`;
  return undefined;
}

function selectComments(knex: Knex): Knex.QueryBuilder {
  return knex('issue_comments as c')
    .leftJoin('users as u', 'u.id', 'c.user_id')
    .select('c.*', 'u.email as user_email', 'u.name as user_name');
}

/**
 * Adds a comment and announces it in the change outbox (kind `commented`, data `{ commentId, text }`)
 * in one transaction, so plugins' onComment hooks and change-stream clients see every comment that
 * exists and none that doesn't. The caller has checked the text (`commentTextProblem`).
 */
export async function addIssueComment(
  knex: Knex,
  options: { issueId: number; text: string; actor: { userId: number | null; surface: ChangeSurface } },
): Promise<IssueCommentRow> {
  const { issueId, text, actor } = options;
  const id = await knex.transaction(async (trx) => {
    const [row]: { id: number }[] = await trx('issue_comments')
      .insert({ issue_id: issueId, user_id: actor.userId, text })
      .returning('id');
    await recordIssueChanges(trx, [
      {
        issueId,
        kind: 'commented',
        surface: actor.surface,
        actorUserId: actor.userId,
        data: { commentId: String(row.id), text },
      },
    ]);
    return row.id;
  });
  return (await selectComments(knex).where('c.id', id).first()) as IssueCommentRow;
}

/** An issue's comments, newest first (as Sentry lists notes). */
export async function listIssueComments(knex: Knex, issueId: number): Promise<IssueCommentRow[]> {
  return selectComments(knex)
    .where('c.issue_id', issueId)
    .orderBy([
      { column: 'c.created_at', order: 'desc' },
      { column: 'c.id', order: 'desc' },
    ]);
}
