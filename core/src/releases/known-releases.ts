import type { Knex } from 'knex';
import { LRUCache } from 'lru-cache';

/**
 * Under load nearly every pipeline batch names the same few releases, so the (project, version)
 * pairs known to have their release and its project link are remembered, and a batch naming only
 * those skips the release statements. Only a shortcut: the statements stay idempotent (ON CONFLICT),
 * and a pair is remembered only once the transaction that wrote it committed.
 *
 * A deleted release is forgotten here at once by `deleteRelease`, so the next event naming it
 * recreates it. Another process (a separate pipeline worker) still remembers it, and stores events
 * naming it without recreating it until its entry expires (TTL_MS) or is evicted; the first
 * event after that recreates it. Deleted projects need nothing: their ids are never reused.
 */
const MAX_PAIRS = 10_000;
const TTL_MS = 10 * 60_000;

/** One memory per database this process opened (keyed by its knex config, which transactions share). */
const memories = new WeakMap<object, LRUCache<string, true>>();

function memoryOf(knex: Knex | Knex.Transaction): LRUCache<string, true> {
  const key = knex.client.config as object;
  let memory = memories.get(key);
  if (!memory) {
    memory = new LRUCache<string, true>({ max: MAX_PAIRS, ttl: TTL_MS });
    memories.set(key, memory);
  }
  return memory;
}

/** The memory's key of a project's release version (a version has no line break: versionProblem). */
export function pairKey(projectId: number, version: string): string {
  return `${projectId}\n${version}`;
}

/** Reading counts as use (`get`, not `has`), so the releases every batch names stay remembered. */
export function isKnownPair(knex: Knex | Knex.Transaction, key: string): boolean {
  return memoryOf(knex).get(key) === true;
}

export function rememberPairs(knex: Knex | Knex.Transaction, keys: Iterable<string>): void {
  const memory = memoryOf(knex);
  for (const key of keys) memory.set(key, true);
}

/** Forgets the version in every project (of any organization: forgetting too much only costs a miss). */
export function forgetVersion(knex: Knex | Knex.Transaction, version: string): void {
  const memory = memoryOf(knex);
  for (const key of [...memory.keys()]) if (key.endsWith(`\n${version}`)) memory.delete(key);
}
