import { z } from 'zod';
import type { User } from '../../accounts';

/** The signed-in user, in the fields Sentry's `/users/me/` shares with Faultline. */
export const sentryUserSchema = z
  .strictObject({
    id: z.string(),
    email: z.string(),
    username: z.string(),
    name: z.string(),
    isSuperuser: z.boolean(),
    has2fa: z.boolean(),
  })
  .meta({ id: 'User' });
export type SentryUser = z.infer<typeof sentryUserSchema>;

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
