import { useSyncExternalStore } from 'react';

/**
 * Whether the server answers, as seen by the last API call. While it doesn't, `/_health` is asked
 * every few seconds so the page recovers by itself; listeners (the banner, and the query cache that
 * refetches) hear when it is back.
 */
const RETRY_MS = 2000;

let unreachable = false;
let timer: ReturnType<typeof setTimeout> | undefined;
const listeners = new Set<() => void>();

function set(next: boolean): void {
  if (unreachable === next) return;
  unreachable = next;
  for (const listener of listeners) listener();
}

async function probe(): Promise<void> {
  timer = undefined;
  try {
    const response = await fetch('/_health', { cache: 'no-store' });
    if (response.ok) return set(false);
  } catch {
    // Still down: ask again below.
  }
  if (unreachable) timer = setTimeout(() => void probe(), RETRY_MS);
}

export function reportUnreachable(): void {
  set(true);
  timer ??= setTimeout(() => void probe(), RETRY_MS);
}

export function reportReachable(): void {
  set(false);
}

export function subscribeConnectivity(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useServerUnreachable(): boolean {
  return useSyncExternalStore(subscribeConnectivity, () => unreachable);
}

export function isServerUnreachable(): boolean {
  return unreachable;
}
