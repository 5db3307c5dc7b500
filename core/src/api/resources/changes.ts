import { z } from 'zod';
import { BadRequestError, GoneError, NotFoundError } from '../../errors';
import { currentChangeCursor, isBeforeHorizon, parseCursor } from '../../changes';
import { callerOrganizationById, projectsInScope } from '../../organizations';
import { isTokenLive } from '../../tokens';
import { route, type ApiRoute } from '../define-route';
import type { ApiDependencies } from '../dependencies';
import { repeated, single } from '../validation';
import { ChangeStreams, changeEventSchema, type Rescope } from '../change-streams';

const changeStreamQuery = z.object({
  project: repeated(z.coerce.number().int()),
  cursor: single(z.string().optional()),
});

/** The change stream: Server-Sent Events of what happens to an organization's issues (docs/change-stream.md). */
export function changeRoutes(deps: ApiDependencies): ApiRoute[] {
  let streams = deps.changeStreams;
  return [
    route({
      method: 'get',
      path: '/api/0/organizations/:organization/changes/',
      scope: 'event:read',
      resource: 'organization',
      summary:
        "A text/event-stream of changes to the organization's issues (projects the caller may see, or ?project=ID), resumable with Last-Event-ID",
      query: changeStreamQuery,
      produces: 'text/event-stream',
      response: changeEventSchema,
      errors: [410],
      handler: async ({ ctx, caller, target: { access }, query }) => {
        const given = ctx.get('last-event-id') || query.cursor;
        const parsed = given ? parseCursor(given) : undefined;
        if (given && !parsed)
          throw new BadRequestError(
            `Invalid cursor "${given}": resume with the id of the last event received (Last-Event-ID)`,
            'invalid_request',
          );
        if (parsed && (await isBeforeHorizon(deps.knex, parsed)))
          throw new GoneError(
            `Changes after cursor "${given}" are past retention and were deleted: reload the issues you show and connect again without a cursor`,
            'cursor_expired',
          );
        const after = parsed ?? (await currentChangeCursor(deps.knex));
        const projectIds = projectsInScope(access, query.project);
        streams ??= new ChangeStreams(deps.knex);
        ctx.req.socket.setTimeout(0);
        ctx.req.socket.setNoDelay(true);
        ctx.set('Cache-Control', 'no-cache, no-transform');
        ctx.set('X-Accel-Buffering', 'no');
        ctx.type = 'text/event-stream';
        // No compression middleware exists; should one come, this keeps it off the stream.
        ctx.compress = false;
        const organizationId = access.organization.id;
        const rescope: Rescope = async () => {
          // As a new request would: a revoked token or signed-out session ends the stream.
          const credentialsHold =
            caller.tokenId !== null
              ? await isTokenLive(deps.knex, caller.tokenId)
              : caller.session === undefined || (await deps.auth.sessions.isLive(caller.session.id));
          if (!credentialsHold) return 'revoked';
          try {
            return projectsInScope(
              await callerOrganizationById(deps.knex, caller, organizationId),
              query.project,
            );
          } catch (error) {
            if (error instanceof NotFoundError) return 'revoked';
            throw error;
          }
        };
        return streams.subscribe({ organizationId, projectIds, after, rescope });
      },
    }),
  ];
}
