import type { Knex } from 'knex';
import { recordIssueChanges, type ChangeSurface } from '../changes';
import { ForbiddenError, NotFoundError } from '../errors';

/** Comments (Sentry's "notes") on issues: one path for the REST API and plugins alike. */

/** Long enough for a stack trace pasted into a comment; longer text is refused, not cut. */
export const MAX_COMMENT_CHARS = 10_000;

export interface IssueCommentRow {
  id: number;
  issue_id: number;
  user_id: number | null;
  text: string;
  /** The surface it was written through; null for comments written before surfaces were kept. */
  surface: ChangeSurface | null;
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
      .insert({ issue_id: issueId, user_id: actor.userId, text, surface: actor.surface })
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

/** How many comments each of these issues has (issues without any are absent). */
export async function countIssueComments(knex: Knex, issueIds: number[]): Promise<Map<number, number>> {
  if (issueIds.length === 0) return new Map();
  const rows: { issue_id: number; n: number }[] = await knex('issue_comments')
    .whereIn('issue_id', issueIds)
    .groupBy('issue_id')
    .select('issue_id', knex.raw('count(*)::int AS n'));
  return new Map(rows.map((r) => [r.issue_id, r.n]));
}

/** An issue's comments, newest first (as Sentry lists notes), all of them or the newest `limit`. */
export async function listIssueComments(
  knex: Knex,
  issueId: number,
  limit?: number,
): Promise<IssueCommentRow[]> {
  const query = selectComments(knex)
    .where('c.issue_id', issueId)
    .orderBy([
      { column: 'c.created_at', order: 'desc' },
      { column: 'c.id', order: 'desc' },
    ]);
  return limit === undefined ? query : query.limit(limit);
}

type CommentActor = { userId: number | null; surface: ChangeSurface };

/**
 * The comment `commentId` of issue `issueId`, locked for the rest of `trx`, when `actor` wrote it.
 * As in Sentry, only its author changes a comment (service tokens and plugins have no user, so none).
 */
async function ownComment(
  trx: Knex.Transaction,
  issueId: number,
  commentId: number,
  actor: CommentActor,
): Promise<{ id: number; user_id: number | null }> {
  const comment: { id: number; user_id: number | null } | undefined = await trx('issue_comments')
    .where({ id: commentId, issue_id: issueId })
    .forUpdate()
    .first('id', 'user_id');
  if (!comment) throw new NotFoundError(`Comment ${commentId} not found on this issue`, 'comment_not_found');
  if (actor.userId === null || comment.user_id !== actor.userId)
    throw new ForbiddenError('Only the author of a comment can change or delete it', 'not_comment_author');
  return comment;
}

/** Replaces the text of the actor's own comment; announced as `comment_edited` (`{ commentId, text }`). */
export async function editIssueComment(
  knex: Knex,
  options: { issueId: number; commentId: number; text: string; actor: CommentActor },
): Promise<IssueCommentRow> {
  const { issueId, commentId, text, actor } = options;
  await knex.transaction(async (trx) => {
    await ownComment(trx, issueId, commentId, actor);
    await trx('issue_comments').where('id', commentId).update({ text });
    await recordIssueChanges(trx, [
      {
        issueId,
        kind: 'comment_edited',
        surface: actor.surface,
        actorUserId: actor.userId,
        data: { commentId: String(commentId), text },
      },
    ]);
  });
  return (await selectComments(knex).where('c.id', commentId).first()) as IssueCommentRow;
}

/** Deletes the actor's own comment; announced as `comment_deleted` (`{ commentId }`). */
export async function deleteIssueComment(
  knex: Knex,
  options: { issueId: number; commentId: number; actor: CommentActor },
): Promise<void> {
  const { issueId, commentId, actor } = options;
  await knex.transaction(async (trx) => {
    await ownComment(trx, issueId, commentId, actor);
    await trx('issue_comments').where('id', commentId).delete();
    await recordIssueChanges(trx, [
      {
        issueId,
        kind: 'comment_deleted',
        surface: actor.surface,
        actorUserId: actor.userId,
        data: { commentId: String(commentId) },
      },
    ]);
  });
}
