/** Every scope a token or role can hold; Sentry's names. */
export const ALL_SCOPES = [
  'org:read',
  'org:write',
  'org:admin',
  'project:read',
  'project:write',
  'project:admin',
  // Sentry's scope for CI: create and finalize releases, set their commits, record deploys.
  'project:releases',
  'team:read',
  'team:write',
  'team:admin',
  'member:read',
  'member:write',
  'member:admin',
  'event:read',
  'event:write',
  'event:admin',
] as const;

export type Scope = (typeof ALL_SCOPES)[number];

const LEVELS = ['read', 'write', 'admin'] as const;

/** The scopes that grant `project:releases`, as in Sentry. */
const RELEASE_GRANTING: readonly string[] = ['project:releases', 'project:write', 'project:admin'];

export function isScope(text: string): text is Scope {
  return (ALL_SCOPES as readonly string[]).includes(text);
}

/**
 * Whether `granted` grants `required`. As in Sentry, a stronger scope of the same kind also grants
 * the weaker one: `event:write` and `event:admin` may read events.
 */
export function grantsScope(granted: readonly string[], required: Scope): boolean {
  // Not a level of `project`: held by itself, or by those who may change projects anyway.
  if (required === 'project:releases') return granted.some((scope) => RELEASE_GRANTING.includes(scope));
  const [kind, level] = required.split(':') as [string, (typeof LEVELS)[number]];
  const sufficient = LEVELS.slice(LEVELS.indexOf(level)).map((l) => `${kind}:${l}`);
  return granted.some((scope) => sufficient.includes(scope));
}

/** The scopes of `candidates` that `granted` grants (directly or through a stronger scope). */
export function grantedAmong(granted: readonly string[], candidates: readonly Scope[]): Scope[] {
  return candidates.filter((scope) => grantsScope(granted, scope));
}
