import type { PluginEvent } from './event';

/**
 * A typed reference to a host service. A plugin lists the refs it needs in `registerInit({ deps })`
 * and receives the implementations, typed, in `init`. The host maps each id onto its own container.
 */
export interface ServiceRef<T> {
  readonly id: string;
  /** Type carrier only; never set. */
  readonly T?: T;
}

export function createServiceRef<T>(options: { id: string }): ServiceRef<T> {
  return { id: options.id };
}

/** Structured logger; every line carries the plugin id. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

/** The plugin's own configuration, already validated against its `configSchema`. */
export interface PluginConfig<C = unknown> {
  readonly value: C;
}

/** Key-value storage in the host's database, namespaced to the plugin. Values are JSON. */
export interface KeyValueStorage {
  get<V = unknown>(key: string): Promise<V | undefined>;
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<boolean>;
  /** Keys (optionally those starting with `prefix`), sorted. */
  keys(prefix?: string): Promise<string[]>;
}

/** Read access to issues. Not provided by the host yet; declared so plugins can be written against it. */
export interface IssuesService {
  get(issueId: string): Promise<IssueSummary | undefined>;
}

export interface IssueSummary {
  id: string;
  projectId: string;
  title: string;
  culprit: string | null;
  status: 'unresolved' | 'resolved' | 'ignored';
  firstSeen: string;
  lastSeen: string;
  count: number;
}

/** Read access to stored events. Not provided by the host yet. */
export interface EventsService {
  get(projectId: string, eventId: string): Promise<PluginEvent | undefined>;
}

/** The services the host provides, by id. */
export const coreServices = {
  logger: createServiceRef<Logger>({ id: 'core.logger' }),
  config: createServiceRef<PluginConfig>({ id: 'core.config' }),
  storage: createServiceRef<KeyValueStorage>({ id: 'core.storage' }),
  issues: createServiceRef<IssuesService>({ id: 'core.issues' }),
  events: createServiceRef<EventsService>({ id: 'core.events' }),
} as const;
