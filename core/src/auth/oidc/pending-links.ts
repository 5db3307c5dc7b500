import { z } from 'zod';
import type { CookieDescription } from '../cookies';
import { BadRequestError } from '../../errors';
import type { SecretBox } from '../secret-box';
import { ssoCookie } from './sso-cookies';

/** Where the browser lands to confirm a pending link: the web UI's page, which calls the link routes. */
export const LINK_PATH = '/auth/sso-link';

/** How long a person has to confirm that a provider identity is theirs. */
export const PENDING_LINK_SECONDS = 10 * 60;

/** Associated data of the sealed cookie, so no other sealed value of the SSO key passes for one. */
const SEAL_CONTEXT = 'sso-pending-link:v1';

/**
 * A provider identity waiting for the person to prove the existing account it names is theirs.
 * It travels sealed (AES-GCM under the server's key) in an httpOnly cookie of the browser that
 * signed in at the provider: it can't be read, forged or sent to someone else's browser, and it
 * gives nothing without the account's password (and second factor) or its signed-in session.
 */
const pendingLinkSchema = z.object({
  organizationId: z.number().int(),
  issuer: z.string(),
  subject: z.string(),
  userId: z.number().int(),
  email: z.string(),
  next: z.string().nullable(),
  expiresAt: z.number(),
});
export type PendingLink = z.infer<typeof pendingLinkSchema>;

/** The cookie carrying `link` (expiry taken from it). */
export function pendingLinkCookie(publicUrl: string, box: SecretBox, link: PendingLink): CookieDescription {
  const seconds = Math.max(0, Math.floor((link.expiresAt - Date.now()) / 1000));
  return ssoCookie(publicUrl, 'link', box.seal(JSON.stringify(link), SEAL_CONTEXT), seconds);
}

/** Clears the pending-link cookie. */
export function clearedPendingLinkCookie(publicUrl: string): CookieDescription {
  return ssoCookie(publicUrl, 'link', '', 0);
}

/**
 * The pending link in this cookie. None, altered or expired is a 400, like an unknown sign-in
 * state: the request lacks what it needs, and the remedy is the same, starting again.
 */
export function openPendingLink(
  box: SecretBox,
  cookieValue: string | undefined,
  now = Date.now(),
): PendingLink {
  let link: PendingLink | undefined;
  try {
    link = cookieValue ? pendingLinkSchema.parse(JSON.parse(box.open(cookieValue, SEAL_CONTEXT))) : undefined;
  } catch {
    link = undefined;
  }
  if (!link || link.expiresAt <= now) {
    throw new BadRequestError(
      'No single sign-on link is waiting in this browser, or it expired; sign in through your organization again',
      'sso_link_missing',
    );
  }
  return link;
}
