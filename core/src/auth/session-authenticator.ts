import type { User } from '../accounts';
import { assertCsrf, isSafeMethod } from './csrf';
import type { Session, SessionStore } from './sessions';

export interface SessionCaller {
  user: User;
  session: Session;
}

/**
 * Turns a session cookie into the signed-in user. Unsafe methods (anything but GET/HEAD/OPTIONS/
 * TRACE) must carry the session's CSRF token, else `CsrfError`. A session still waiting for its
 * second factor authenticates nothing, unless the caller is the route that takes that factor.
 */
export class SessionAuthenticator {
  constructor(private readonly sessions: SessionStore) {}

  async authenticate(
    cookieValue: string | undefined,
    csrfHeader: string | undefined,
    method: string,
    options: { allowPendingSecondFactor?: boolean } = {},
  ): Promise<SessionCaller | undefined> {
    if (!cookieValue) return undefined;
    const found = await this.sessions.lookup(cookieValue);
    if (!found) return undefined;
    if (found.session.pendingSecondFactor && !options.allowPendingSecondFactor) return undefined;
    if (!isSafeMethod(method)) assertCsrf(found.session, csrfHeader);
    return found;
  }
}
