import { randomBytes } from 'node:crypto';
import type { TestHostOptions } from '@faultline/plugin-sdk/testing';
import { loadConfig, type Config } from '../config';
import { configVariable } from '../plugins';

/** The settings of `faultline start`, with the test host's database, data directory and port. */
export function testHostConfig(options: TestHostOptions, dataDir: string, port: number): Config {
  const env: Record<string, string> = {
    PLUGIN_EVENT_BUDGET_MS: '1000',
    ...options.settings,
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: options.logLevel ?? 'silent',
  };
  // Config objects go through PLUGIN_CONFIG_<ID>, the production path, validation included.
  for (const [id, value] of Object.entries(options.config ?? {}))
    env[configVariable(id)] = JSON.stringify(value);
  const config = loadConfig(env);
  return {
    ...config,
    database: { kind: 'embedded', dataDir: null },
    // A key of its own, so nothing is written to (or read from) the data directory but its lock.
    secretKey: randomBytes(32),
    plugins: { ...config.plugins, specs: options.plugins },
  };
}
