import { z } from 'zod';
import { NotFoundError } from '../../errors';
import {
  addIssueComment,
  commentTextProblem,
  deleteIssueComment,
  editIssueComment,
  listIssueComments,
  MAX_COMMENT_CHARS,
  type IssueCommentRow,
} from '../../issues';
import { route, type ApiRoute } from '../define-route';
import type { ApiDependencies } from '../dependencies';
import { isoDate } from '../serializers/dates';

/** Sentry's note body; `mentions` (which Sentry's UI sends) is accepted and not used yet. */
const commentBody = z.object({
  // The length limit is declared for the OpenAPI description (and stops there); the rule itself is
  // the issues module's, shared with plugins.
  text: z
    .string()
    .max(MAX_COMMENT_CHARS, { message: `is longer than ${MAX_COMMENT_CHARS} characters`, abort: true })
    .superRefine((text, ctx) => {
      const problem = commentTextProblem(text);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    }),
  mentions: z.array(z.string()).optional(),
});

/** A comment as Sentry serializes a note: an activity of type `note`. */
const sentryNoteSchema = z
  .strictObject({
    id: z.string(),
    type: z.literal('note'),
    data: z.strictObject({ text: z.string() }),
    user: z.strictObject({ id: z.string(), email: z.string(), name: z.string() }).nullable(),
    dateCreated: z.iso.datetime(),
  })
  .meta({ id: 'Note' });
type SentryNote = z.infer<typeof sentryNoteSchema>;

function serializeNote(row: IssueCommentRow): SentryNote {
  return {
    id: String(row.id),
    type: 'note',
    data: { text: row.text },
    user:
      row.user_id === null || row.user_email === null
        ? null
        : { id: String(row.user_id), email: row.user_email, name: row.user_name || row.user_email },
    dateCreated: isoDate(row.created_at),
  };
}

/** Sentry serves notes at both paths; the organization in the second must be the issue's. */
const COMMENT_PATHS = [
  '/api/0/issues/:issue/comments/',
  '/api/0/organizations/:organization/issues/:issue/comments/',
];

/** The `:comment` path parameter as a row id; anything else names no comment. */
function commentIdOf(params: Record<string, string>): number {
  const given = params.comment;
  if (!/^\d{1,9}$/.test(given))
    throw new NotFoundError(`Comment ${given} not found on this issue`, 'comment_not_found');
  return Number(given);
}

/** Comments on an issue: Sentry's notes, listed, added, and changed or deleted by their author. */
export function issueCommentRoutes({ knex }: ApiDependencies): ApiRoute[] {
  return COMMENT_PATHS.flatMap((path) => [
    route({
      method: 'get',
      path,
      scope: 'event:read',
      resource: 'issue',
      summary: "An issue's comments (notes), newest first",
      response: z.array(sentryNoteSchema),
      handler: async ({ target: { issue } }) => (await listIssueComments(knex, issue.id)).map(serializeNote),
    }),
    route({
      method: 'post',
      path,
      scope: 'event:write',
      resource: 'issue',
      summary: 'Adds a comment (note) to an issue; announced in the change stream as `commented`',
      body: commentBody,
      status: 201,
      response: sentryNoteSchema,
      handler: async ({ caller, target: { issue }, body }) =>
        serializeNote(
          await addIssueComment(knex, {
            issueId: issue.id,
            text: body.text,
            actor: { userId: caller.user?.id ?? null, surface: caller.client },
          }),
        ),
    }),
    route({
      method: 'put',
      path: `${path}:comment/`,
      scope: 'event:write',
      resource: 'issue',
      summary:
        'Changes the text of a comment (its author only); announced in the change stream as `comment_edited`',
      body: commentBody,
      response: sentryNoteSchema,
      handler: async ({ caller, params, target: { issue }, body }) =>
        serializeNote(
          await editIssueComment(knex, {
            issueId: issue.id,
            commentId: commentIdOf(params),
            text: body.text,
            actor: { userId: caller.user?.id ?? null, surface: caller.client },
          }),
        ),
    }),
    route({
      method: 'delete',
      path: `${path}:comment/`,
      scope: 'event:write',
      resource: 'issue',
      summary: 'Deletes a comment (its author only); announced in the change stream as `comment_deleted`',
      response: null,
      handler: async ({ caller, params, target: { issue } }) => {
        await deleteIssueComment(knex, {
          issueId: issue.id,
          commentId: commentIdOf(params),
          actor: { userId: caller.user?.id ?? null, surface: caller.client },
        });
        return undefined;
      },
    }),
  ]);
}
