import { randomUUID } from 'node:crypto';
import { startTypesenseStandIn, type TypesenseStandIn } from './stand-in';

export { startTypesenseStandIn, type TypesenseStandIn } from './stand-in';

/** A Typesense for a test: where it is, a collection of the test's own, and the stand-in if it is one. */
export interface TestTypesense {
  url: string;
  apiKey: string;
  collection: string;
  /** Undefined against a real server (TYPESENSE_URL set): tests that stop the server need the stand-in. */
  standIn: TypesenseStandIn | undefined;
  close(): Promise<void>;
}

/**
 * The real server at TYPESENSE_URL (with TYPESENSE_API_KEY) when set, so the same tests check the
 * adapter against Typesense itself; otherwise a fresh stand-in on loopback.
 */
export async function startTestTypesense(): Promise<TestTypesense> {
  const collection = `issues_test_${randomUUID().slice(0, 8)}`;
  const url = process.env.TYPESENSE_URL;
  if (url) {
    const apiKey = process.env.TYPESENSE_API_KEY ?? '';
    return {
      url,
      apiKey,
      collection,
      standIn: undefined,
      close: async () => {
        await fetch(`${url.replace(/\/+$/, '')}/collections/${collection}`, {
          method: 'DELETE',
          headers: { 'X-TYPESENSE-API-KEY': apiKey },
        });
      },
    };
  }
  const standIn = await startTypesenseStandIn();
  return { url: standIn.url, apiKey: standIn.apiKey, collection, standIn, close: () => standIn.close() };
}
