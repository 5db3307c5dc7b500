import type { EventUser, ExceptionValue, NormalizedEvent } from '../types';
import type { TagPair } from './tags';

/** The parts of a normalized event that standard tags are read from. */
export type TagSource = Pick<
  NormalizedEvent,
  'level' | 'environment' | 'release' | 'server_name' | 'transaction' | 'contexts' | 'user' | 'exception'
>;

function contextName(source: TagSource, context: string): string | undefined {
  const name = source.contexts?.[context]?.name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/** Sentry's user tag: the first known identifier, prefixed with its kind (`id:42`, `email:a@b.c`). */
export function userTagValue(user: EventUser | undefined): string | undefined {
  if (!user) return undefined;
  if (user.id) return `id:${user.id}`;
  if (user.username) return `username:${user.username}`;
  if (user.email) return `email:${user.email}`;
  if (user.ip_address) return `ip:${user.ip_address}`;
  return undefined;
}

function lastMechanism(values: ExceptionValue[] | undefined): ExceptionValue['mechanism'] {
  // The last exception is the one that was thrown; its mechanism says how it was caught.
  return values?.[values.length - 1]?.mechanism;
}

/** The tags Sentry derives from event fields, in the order Sentry lists them. */
export function deriveTags(source: TagSource): TagPair[] {
  const mechanism = lastMechanism(source.exception?.values);
  const candidates: [string, string | undefined][] = [
    ['level', source.level],
    ['environment', source.environment],
    ['release', source.release],
    ['server_name', source.server_name],
    ['transaction', source.transaction],
    ['os.name', contextName(source, 'os')],
    ['runtime.name', contextName(source, 'runtime')],
    ['browser.name', contextName(source, 'browser')],
    ['user', userTagValue(source.user)],
    ['handled', mechanism?.handled === undefined ? undefined : mechanism.handled ? 'yes' : 'no'],
    ['mechanism', mechanism?.type],
  ];
  return candidates.filter((entry): entry is TagPair => typeof entry[1] === 'string' && entry[1] !== '');
}
