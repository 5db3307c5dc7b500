import { Client } from 'typesense';
import type { TypesenseError } from 'typesense/lib/Typesense/Errors';
import { collectionSchema } from './schema';

/** Where Typesense is and which collection holds the issues (config: TYPESENSE_*). */
export interface TypesenseSettings {
  url: string;
  apiKey: string;
  collection: string;
}

/**
 * The official client, for one node at `url`. Searches must not wait long on a Typesense that is
 * down (Postgres answers instead), so the client's own retries are off and its timeout short; the
 * indexer retries whole batches itself (its loop runs again).
 */
export function typesenseClient(settings: TypesenseSettings, timeoutSeconds = 5): Client {
  return new Client({
    nodes: [{ url: settings.url }],
    apiKey: settings.apiKey,
    connectionTimeoutSeconds: timeoutSeconds,
    numRetries: 0,
    logLevel: 'silent',
  });
}

/** The HTTP status Typesense answered with, when it answered at all. */
export function httpStatusOf(error: unknown): number | undefined {
  const status = (error as Partial<TypesenseError> | undefined)?.httpStatus;
  return typeof status === 'number' ? status : undefined;
}

/** Creates the issues collection unless it exists (as a previous start or another process made it). */
export async function ensureCollection(client: Client, name: string): Promise<void> {
  try {
    await client.collections(name).retrieve();
    return;
  } catch (error) {
    if (httpStatusOf(error) !== 404) throw error;
  }
  try {
    await client.collections().create(collectionSchema(name));
  } catch (error) {
    // Another process created it meanwhile.
    if (httpStatusOf(error) !== 409) throw error;
  }
}

/**
 * What went wrong, fit for a log line: the message, the network error code and the HTTP status.
 * Never the error itself: the client's errors carry the request, API key header included.
 */
export function failureOf(error: unknown): { message: string; code?: string; httpStatus?: number } {
  const { message, code } = (error ?? {}) as { message?: unknown; code?: unknown };
  return {
    message: typeof message === 'string' ? message : String(error),
    ...(typeof code === 'string' ? { code } : {}),
    ...(httpStatusOf(error) === undefined ? {} : { httpStatus: httpStatusOf(error) }),
  };
}
