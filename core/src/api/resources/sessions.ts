import { z } from 'zod';
import { CLIENTS } from '@faultline/plugin-sdk';
import { endOtherSessions, endOwnSession, listOwnSessions, type OwnSession } from '../../auth';
import { idFromPath } from '../../organizations';
import { route, type ApiRoute } from '../define-route';
import type { ApiDependencies } from '../dependencies';
import { isoDate } from '../serializers/dates';

/** One browser signed in as the caller. */
const sessionSchema = z
  .strictObject({
    id: z.string(),
    client: z.enum(CLIENTS).describe('What signed in: the web UI (`web`)'),
    ip: z.string().nullable().describe('The address it signed in from'),
    userAgent: z.string().nullable().describe('The browser it signed in with, as it named itself'),
    dateCreated: z.iso.datetime(),
    lastSeen: z.iso.datetime().describe('Its last request, to the minute'),
    dateExpires: z.iso.datetime().describe('When it ends at the latest (it also ends after 7 idle days)'),
    current: z.boolean().describe('The session asking'),
  })
  .meta({ id: 'Session' });

function serializeSession(session: OwnSession): z.input<typeof sessionSchema> {
  return {
    id: String(session.id),
    client: session.client,
    ip: session.ip,
    userAgent: session.userAgent,
    dateCreated: isoDate(session.createdAt),
    lastSeen: isoDate(session.lastSeenAt),
    dateExpires: isoDate(session.expiresAt),
    current: session.current,
  };
}

/**
 * Your signed-in sessions: list them, end one, end all the others. Session-only, like the other
 * routes that change how one signs in: a token can't end the browser sessions of its owner.
 */
export function sessionRoutes({ auth }: ApiDependencies): ApiRoute[] {
  return [
    route({
      method: 'get',
      path: '/api/0/users/me/sessions/',
      scope: null,
      resource: 'session',
      summary: 'Your live sessions, most recently used first, with the client, address and browser of each',
      response: z.array(sessionSchema),
      handler: async ({ target }) => (await listOwnSessions(auth, target)).map(serializeSession),
    }),
    route({
      method: 'delete',
      path: '/api/0/users/me/sessions/',
      scope: null,
      resource: 'session',
      summary: 'Signs out everywhere else: ends all your sessions but this one',
      response: z.strictObject({ ended: z.number().int() }),
      handler: async ({ target }) => ({ ended: await endOtherSessions(auth, target) }),
    }),
    route({
      method: 'delete',
      path: '/api/0/users/me/sessions/:sessionId/',
      scope: null,
      resource: 'session',
      summary: 'Ends one of your other sessions (this one ends by signing out)',
      response: null,
      handler: async ({ params, target }) => {
        await endOwnSession(auth, target, idFromPath(params.sessionId) ?? -1);
        return undefined;
      },
    }),
  ];
}
