const LEVELS = ['read', 'write', 'admin'];

/**
 * Whether the caller's scopes grant `required`, as the API decides it: a stronger scope of the same
 * kind grants the weaker one (`project:admin` may write). Pages ask this only to hide what the API
 * would refuse; the API still decides.
 */
export function grants(access: readonly string[], required: string): boolean {
  const [kind, level] = required.split(':');
  return LEVELS.slice(LEVELS.indexOf(level))
    .map((stronger) => `${kind}:${stronger}`)
    .some((scope) => access.includes(scope));
}
