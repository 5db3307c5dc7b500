#!/usr/bin/env node
import { startSlackApp } from './app';
import { readSettings } from './settings';

/** Standalone: `node slack-app/dist/main.js` with the settings in the environment. */
async function main(): Promise<void> {
  const app = await startSlackApp(readSettings(process.env));
  const stop = () => void app.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`faultline-slack: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
