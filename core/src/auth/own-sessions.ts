import { BadRequestError, NotFoundError } from '../errors';
import type { AuthServices } from './services';
import type { SessionCaller } from './session-authenticator';
import type { Session } from './sessions';

/**
 * A person's view of their own sessions (the browsers signed in as them): list them, end one, or
 * end all but the one they are using, say after signing in on a borrowed computer. Only live
 * sessions are listed; ended and expired ones are gone.
 */

export interface OwnSession extends Session {
  /** The session asking: ending it is signing out, which also clears its cookies. */
  current: boolean;
}

export async function listOwnSessions(auth: AuthServices, caller: SessionCaller): Promise<OwnSession[]> {
  const sessions = await auth.sessions.listForUser(caller.user.id);
  return sessions
    .map((session) => ({ ...session, current: session.id === caller.session.id }))
    .sort((a, b) => b.lastSeenAt.getTime() - a.lastSeenAt.getTime());
}

/** Ends one of the caller's other sessions; the current one ends by signing out (its cookies go too). */
export async function endOwnSession(
  auth: AuthServices,
  caller: SessionCaller,
  sessionId: number,
): Promise<void> {
  if (sessionId === caller.session.id)
    throw new BadRequestError('This is the session you are using: sign out to end it', 'current_session');
  if (!(await auth.sessions.revokeOfUser(caller.user.id, sessionId)))
    throw new NotFoundError(`Session ${sessionId} not found`, 'session_not_found');
}

/** Ends every session of the caller's but the current one; answers how many ended. */
export async function endOtherSessions(auth: AuthServices, caller: SessionCaller): Promise<number> {
  return auth.sessions.revokeAllForUser(caller.user.id, caller.session.id);
}
