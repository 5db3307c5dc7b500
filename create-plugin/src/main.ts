#!/usr/bin/env node
/**
 * `npm create @faultline/plugin <name>` (npm runs this package's bin): writes a new plugin into the
 * folder `<name>` (without its scope) and says what to run next. It installs nothing itself, so it
 * works offline and leaves the choice of package manager to the author.
 */
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writePlugin } from './write';

const USAGE = `Usage: npm create @faultline/plugin <package-name> [-- --sdk <spec> --core <spec>]

  <package-name>  npm name of the new plugin, e.g. faultline-plugin-jira or @acme/faultline-tagger;
                  written to a new folder of that name (without the scope)
  --sdk <spec>    where to install @faultline/plugin-sdk from (default: ^<this version>), e.g. a tarball
  --core <spec>   where to install @faultline/core, the test host, from (default: ^<this version>)`;

function main(argv: string[]): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { sdk: { type: 'string' }, core: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (parsed.positionals.length !== 1) {
    console.error(USAGE);
    return 2;
  }
  // The SDK, core and this package are released together, with one version (lerna.json).
  const { version } = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  const written = writePlugin(process.cwd(), parsed.positionals[0], {
    sdk: parsed.values.sdk ?? `^${version}`,
    core: parsed.values.core ?? `^${version}`,
  });
  if (typeof written === 'string') {
    console.error(written);
    return 1;
  }
  process.stdout.write(`Wrote the plugin ${written.id} to ${written.folder}/. Next:

  cd ${written.folder}
  npm install
  npm test
`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
