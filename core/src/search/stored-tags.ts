/**
 * How a tag-shaped search key reads the stored tags, for every adapter. `user.id:42` reads Sentry's
 * `user` tag, which holds the event user's first known identifier with its kind (`id:42`,
 * `email:a@b.io`); every other key is a tag key as stored.
 */
export const USER_KEY_PREFIXES: Record<string, string> = {
  'user.id': 'id:',
  'user.email': 'email:',
  'user.username': 'username:',
  'user.ip': 'ip:',
};

/** The stored tag key a search key reads, and what its values start with there. */
export function storedTagOf(key: string): { key: string; prefix: string } {
  const prefix = USER_KEY_PREFIXES[key];
  return prefix ? { key: 'user', prefix } : { key, prefix: '' };
}
