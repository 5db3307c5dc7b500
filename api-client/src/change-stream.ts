import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { CursorExpiredError, FaultlineApiError } from './errors';
import type { components } from './generated/schema';

/** One change to an issue, as the stream sends it in each event's `data`. */
export type ChangeEvent = components['schemas']['ChangeEvent'];

export interface ChangeStreamOptions {
  /** Where Faultline answers (no `/api/0`). */
  baseUrl: string;
  /** A token with `event:read` in the organization. */
  token: string;
  organization: string;
  /** Only these projects' changes (ids); all the caller may see by default. */
  projects?: number[];
  /** Resume after this event id (a cursor the stream gave); the stream's current end by default. */
  lastEventId?: string;
  /** Waits between reconnections: from `initialMs`, doubling up to `maxMs` (default 500 ms … 30 s). */
  backoff?: { initialMs?: number; maxMs?: number };
  fetch?: typeof globalThis.fetch;
  /** Told of each reconnection and why (a closed connection, a 5xx, a network error). */
  onReconnect?: (info: { attempt: number; delayMs: number; reason: unknown }) => void;
}

/** The stream, open until `close()`; iterate it for the changes. */
export interface ChangeStream extends AsyncIterable<ChangeEvent> {
  /** The id of the last event received: where a new stream would resume. */
  readonly lastEventId: string | undefined;
  close(): void;
}

/**
 * Follows an organization's change stream (Server-Sent Events at
 * `/api/0/organizations/{org}/changes/`). A dropped connection, or an answer the server may give
 * when busy (5xx, 429), is retried with exponential backoff and resumed with `Last-Event-ID`, so no
 * change is missed or repeated. Resuming past retention throws `CursorExpiredError`; other refusals
 * (401, 403, 404) throw `FaultlineApiError`: retrying would not help.
 */
export function openChangeStream(options: ChangeStreamOptions): ChangeStream {
  const abort = new AbortController();
  const doFetch = options.fetch ?? globalThis.fetch;
  const initialMs = options.backoff?.initialMs ?? 500;
  const maxMs = options.backoff?.maxMs ?? 30_000;
  let lastEventId = options.lastEventId;

  const url = new URL(
    `/api/0/organizations/${encodeURIComponent(options.organization)}/changes/`,
    options.baseUrl,
  );
  for (const project of options.projects ?? []) url.searchParams.append('project', String(project));

  async function* events(): AsyncGenerator<ChangeEvent, void, undefined> {
    let attempt = 0;
    while (!abort.signal.aborted) {
      let reason: unknown;
      try {
        const response = await doFetch(url, {
          headers: {
            Authorization: `Bearer ${options.token}`,
            Accept: 'text/event-stream',
            ...(lastEventId === undefined ? {} : { 'Last-Event-ID': lastEventId }),
          },
          signal: abort.signal,
        });
        if (response.status === 410) throw await CursorExpiredError.from(response);
        if (!response.ok && response.status < 500 && response.status !== 429)
          throw await FaultlineApiError.from(response);
        if (!response.ok || !response.body) {
          reason = await FaultlineApiError.from(response);
        } else {
          attempt = 0;
          for await (const message of messagesOf(response.body)) {
            if (message.id !== undefined) lastEventId = message.id;
            yield JSON.parse(message.data) as ChangeEvent;
          }
          reason = new Error('the server closed the stream');
        }
      } catch (error) {
        if (abort.signal.aborted) return;
        if (error instanceof FaultlineApiError) throw error;
        reason = error;
      }
      const delayMs = Math.min(maxMs, initialMs * 2 ** attempt);
      attempt += 1;
      options.onReconnect?.({ attempt, delayMs, reason });
      await sleep(delayMs, abort.signal);
    }
  }

  const iterator = events();
  return {
    get lastEventId() {
      return lastEventId;
    },
    close: () => abort.abort(),
    [Symbol.asyncIterator]: () => iterator,
  };
}

/** The events of an SSE body (comments such as heartbeats are skipped by the parser). */
async function* messagesOf(body: ReadableStream<Uint8Array>): AsyncGenerator<EventSourceMessage> {
  const queue: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (message) => queue.push(message) });
  const decoder = new TextDecoder();
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    yield* queue.splice(0);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
