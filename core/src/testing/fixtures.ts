import path from 'node:path';

/**
 * Requests captured byte for byte from the official Sentry JavaScript SDKs (copied from the shared
 * fixtures; ../shared/fixtures/README.md describes each scenario).
 */
export const FIXTURES_DIR = path.resolve(__dirname, '../../../test/fixtures/sentry-javascript');
