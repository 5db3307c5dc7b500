import { z } from 'zod';
import {
  addIssueComment,
  commentTextProblem,
  listIssueComments,
  MAX_COMMENT_CHARS,
  type IssueCommentRow,
} from '../../issues';
import { route, type ApiRoute } from '../define-route';
import type { ApiDependencies } from '../dependencies';
import { isoDate } from '../serializers/dates';

/** Sentry's note body; `mentions` (which Sentry's UI sends) is accepted and not used yet. */
const commentBody = z.object({
  text: z
    .string()
    .max(MAX_COMMENT_CHARS, `must be at most ${MAX_COMMENT_CHARS} characters`)
    .refine((text) => commentTextProblem(text) === undefined, 'must not be empty'),
  mentions: z.array(z.string()).optional(),
});

/** A comment as Sentry serializes a note: an activity of type `note`. */
export interface SentryNote {
  id: string;
  type: 'note';
  data: { text: string };
  user: { id: string; email: string; name: string } | null;
  dateCreated: string;
}

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

/** Comments on an issue: Sentry's notes, listed and added. */
export function issueCommentRoutes({ knex }: ApiDependencies): ApiRoute[] {
  return COMMENT_PATHS.flatMap((path) => [
    route({
      method: 'get',
      path,
      scope: 'event:read',
      resource: 'issue',
      summary: "An issue's comments (notes), newest first",
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
      handler: async ({ caller, target: { issue }, body }) =>
        serializeNote(
          await addIssueComment(knex, {
            issueId: issue.id,
            text: body.text,
            actor: { userId: caller.user?.id ?? null, surface: 'api' },
          }),
        ),
    }),
  ]);
}
