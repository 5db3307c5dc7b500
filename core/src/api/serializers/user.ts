import type { User } from '../../accounts';

/** The signed-in user, in the fields Sentry's `/users/me/` shares with Faultline. */
export interface SentryUser {
  id: string;
  email: string;
  username: string;
  name: string;
  isSuperuser: boolean;
  has2fa: boolean;
}

export function serializeUser(user: User, has2fa: boolean): SentryUser {
  return {
    id: String(user.id),
    email: user.email,
    username: user.email,
    name: user.name,
    isSuperuser: user.is_superuser,
    has2fa,
  };
}
