import { PluginError } from '../errors';
import { TEST_HOST_MODULE, type TestHost, type TestHostModule, type TestHostOptions } from './contract';

/**
 * Boots a real Faultline host for a test: in-memory PGlite, an HTTP server on a free loopback port,
 * the pipeline, the plugin host with `options.plugins`, and a project with a DSN and an API token.
 * Call `close()` when done.
 *
 * The host is `@faultline/core`; this package must never import core (core depends on it, and
 * plugins should only need the SDK), so the implementation is loaded here, at run time, by package
 * name. Install `@faultline/core` as a dev dependency of the plugin to use this.
 */
export async function startTestHost(options: TestHostOptions): Promise<TestHost> {
  return loadTestHost().startTestHost(options);
}

function loadTestHost(): TestHostModule {
  let loaded: unknown;
  try {
    // A plain require by package name: the one place the SDK reaches core, at run time only. The
    // import-rule check (plugin-sdk never imports core) is about compile-time imports and rightly
    // doesn't see this: nothing of core is needed to build or type-check the SDK.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(TEST_HOST_MODULE);
  } catch (error) {
    const notInstalled =
      (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' &&
      String((error as Error).message).includes(TEST_HOST_MODULE);
    throw new PluginError(
      notInstalled
        ? `startTestHost needs @faultline/core, which is not installed; add it as a dev dependency: npm install --save-dev @faultline/core`
        : `startTestHost could not load ${TEST_HOST_MODULE} (is @faultline/core built?): ${error instanceof Error ? error.message : String(error)}`,
      { code: 'test_host_unavailable', cause: error },
    );
  }
  const start = (loaded as Partial<TestHostModule> | null)?.startTestHost;
  if (typeof start !== 'function')
    throw new PluginError(
      `${TEST_HOST_MODULE} does not export startTestHost; @faultline/core and @faultline/plugin-sdk versions do not match`,
      { code: 'test_host_unavailable' },
    );
  return { startTestHost: start };
}
