/** The scopes a route can require; Sentry's names. */
export type Scope = 'org:read' | 'project:read' | 'event:read' | 'event:write';

const LEVELS = ['read', 'write', 'admin'] as const;

/**
 * Whether a token's scopes grant `required`. As in Sentry, a stronger scope of the same kind also
 * grants the weaker one: `event:write` and `event:admin` may read events.
 */
export function grantsScope(granted: readonly string[], required: Scope): boolean {
  const [kind, level] = required.split(':') as [string, (typeof LEVELS)[number]];
  const sufficient = LEVELS.slice(LEVELS.indexOf(level)).map((l) => `${kind}:${l}`);
  return granted.some((scope) => sufficient.includes(scope));
}
