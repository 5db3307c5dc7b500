#!/usr/bin/env node
import 'reflect-metadata';
import { Command, Option } from 'commander';
import { loadConfig, type Config } from '../config';
import { ConfigError, FaultlineError } from '../errors';
import { bootstrap, type BootstrapResult } from '../accounts';
import { openRuntime, startServices, TOKENS, type Runtime } from '../runtime';
import { createLogger } from '../logging';
import { describeApi } from '../api';
import { createUser } from '../auth';
import { reindexAllIssues, typesenseClient } from '../search';
import { progressBar } from './progress';

/** Options shared by the commands that touch the database or serve HTTP; they override the environment. */
interface CommonFlags {
  databaseUrl?: string;
  dataDir?: string;
  host?: string;
  port?: string;
  publicUrl?: string;
  logLevel?: string;
}

function configFrom(flags: CommonFlags): Config {
  return loadConfig(process.env, {
    DATABASE_URL: flags.databaseUrl,
    DATA_DIR: flags.dataDir,
    HOST: flags.host,
    PORT: flags.port,
    PUBLIC_URL: flags.publicUrl,
    LOG_LEVEL: flags.logLevel,
  });
}

function withCommonOptions(command: Command): Command {
  return command
    .option('--database-url <url>', 'Postgres URL (env DATABASE_URL); unset: embedded PGlite')
    .option('--data-dir <dir>', 'data directory for embedded mode (env DATA_DIR)')
    .option('--log-level <level>', 'log level (env LOG_LEVEL)');
}

const bootstrapOptions = (command: Command) =>
  command
    .addOption(new Option('--org <slug>', 'organization slug').default('faultline'))
    .addOption(new Option('--team <slug>', 'team slug').default('engineering'))
    .addOption(new Option('--project <slug>', 'project slug').default('app'))
    .addOption(new Option('--platform <name>', 'project platform').default('node'))
    .addOption(new Option('--email <email>', 'admin user email').default('admin@faultline.local'));

interface BootstrapFlags {
  org: string;
  team: string;
  project: string;
  platform: string;
  email: string;
}

function runBootstrap(runtime: Runtime, flags: BootstrapFlags): Promise<BootstrapResult> {
  return bootstrap(runtime.db.knex, {
    organization: flags.org,
    team: flags.team,
    project: flags.project,
    platform: flags.platform,
    email: flags.email,
    publicUrl: runtime.config.http.publicUrl,
  });
}

/** Runs until SIGINT/SIGTERM, then drains in-flight requests and batches before closing the database. */
function stopOnSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    process.stderr.write(`faultline: ${signal} received, shutting down\n`);
    stop().then(
      () => process.exit(0),
      (error) => {
        process.stderr.write(`faultline: shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}

const program = new Command()
  .name('faultline')
  .description('Self-hosted error tracking for unmodified Sentry SDKs')
  .showHelpAfterError();

withCommonOptions(
  bootstrapOptions(
    program
      .command('start')
      .description('HTTP server with the pipeline workers in-process')
      .option('--host <host>', 'bind address (env HOST, default 127.0.0.1)')
      .option('--port <port>', 'port (env PORT, default 8000)')
      .option('--public-url <url>', 'URL SDKs reach Faultline at (env PUBLIC_URL)')
      .option(
        '--bootstrap',
        'ensure a default organization/project/user first and print the DSN and an API token',
      )
      .option('--no-workers', 'serve HTTP only; run `faultline worker` processes for the pipeline'),
  ),
).action(async (flags: CommonFlags & BootstrapFlags & { bootstrap?: boolean; workers: boolean }) => {
  const runtime = await openRuntime(configFrom(flags));
  const setup = flags.bootstrap ? await runBootstrap(runtime, flags) : undefined;
  // The admin bootstrap creates has no password: a one-time link to choose one in the web UI (until
  // one is chosen, each start prints a fresh link), so a newcomer needs neither the CLI nor mail.
  const passwordLink = setup
    ? await runtime.container.resolve(TOKENS.Auth).passwordReset.firstPasswordLink(setup.user)
    : undefined;
  const running = await startServices(runtime, { http: true, workers: flags.workers });
  if (setup) {
    process.stdout.write(
      [
        '',
        `  Faultline is running at ${running.url} (${runtime.db.kind === 'embedded' ? `embedded database in ${runtime.config.dataDir}` : 'Postgres'})`,
        '',
        ...(passwordLink
          ? [
              `  Sign in as ${setup.user}: choose a password at ${passwordLink}`,
              '  (one use, valid 1 hour)',
              '',
            ]
          : [`  Web UI: ${running.url}/ (sign in as ${setup.user})`, '']),
        `  DSN for your Sentry SDK:  ${setup.dsn}`,
        `  API token (${setup.user}):  ${setup.token}`,
        `  Try: curl -H 'Authorization: Bearer ${setup.token}' ${running.url}/api/0/projects/${setup.organization}/${setup.project}/issues/`,
        '',
      ].join('\n') + '\n',
    );
  }
  stopOnSignal(async () => {
    await running.stop();
    await runtime.close();
  });
});

withCommonOptions(
  program.command('worker').description('pipeline workers only (to scale out; needs DATABASE_URL)'),
).action(async (flags: CommonFlags) => {
  const config = configFrom(flags);
  if (config.database.kind === 'embedded') {
    throw new ConfigError(
      'faultline worker needs DATABASE_URL: the embedded database belongs to the `faultline start` process',
    );
  }
  const runtime = await openRuntime(config);
  const running = await startServices(runtime, { http: false, workers: true });
  runtime.log.info('pipeline workers started');
  stopOnSignal(async () => {
    await running.stop();
    await runtime.close();
  });
});

withCommonOptions(program.command('migrate').description('apply pending database migrations')).action(
  async (flags: CommonFlags) => {
    const runtime = await openRuntime(configFrom(flags));
    await runtime.close();
    process.stdout.write('migrations are up to date\n');
  },
);

withCommonOptions(
  bootstrapOptions(
    program
      .command('bootstrap')
      .description('ensure an organization, team, project, admin user and API token; print them')
      .option('--public-url <url>', 'URL SDKs reach Faultline at (env PUBLIC_URL)')
      .option('--host <host>', 'host used in the DSN when PUBLIC_URL is unset')
      .option('--port <port>', 'port used in the DSN when PUBLIC_URL is unset')
      .option('--json', 'print one JSON object'),
  ),
).action(async (flags: CommonFlags & BootstrapFlags & { json?: boolean }) => {
  const runtime = await openRuntime(configFrom(flags), createLogger('warn'));
  try {
    const result = await runBootstrap(runtime, flags);
    if (flags.json) process.stdout.write(JSON.stringify(result) + '\n');
    else process.stdout.write(`DSN:   ${result.dsn}\nToken: ${result.token}\nURL:   ${result.url}\n`);
  } finally {
    await runtime.close();
  }
});

/** Reads a password from stdin (`--password-stdin`): everything piped, without the final newline. */
async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

withCommonOptions(
  program
    .command('createuser')
    .description('create a user who signs in with email and password (the password is never printed)')
    .requiredOption('--email <email>', 'email address, used to sign in')
    .option('--password-stdin', 'read the password from stdin (preferred: not visible in the process list)')
    .option('--password <password>', 'the password (visible to other local users in the process list)')
    .option('--superuser', 'make the user a superuser')
    .option('--org <slug>', 'add the user to this existing organization')
    .option(
      '--role <role>',
      'organization role with --org: owner, manager, admin, member or billing',
      'member',
    )
    .option('--update', 'update the user if the email exists (password, superuser, membership)'),
).action(
  async (
    flags: CommonFlags & {
      email: string;
      passwordStdin?: boolean;
      password?: string;
      superuser?: boolean;
      org?: string;
      role: string;
      update?: boolean;
    },
  ) => {
    if (flags.passwordStdin && flags.password !== undefined) {
      throw new ConfigError('createuser: use either --password-stdin or --password, not both');
    }
    const password = flags.passwordStdin ? await readPasswordFromStdin() : flags.password;
    const runtime = await openRuntime(configFrom(flags), createLogger('warn'));
    try {
      const { user, created } = await createUser(runtime.db.knex, {
        email: flags.email,
        password,
        superuser: flags.superuser ? true : undefined,
        organization: flags.org ? { slug: flags.org, role: flags.role } : undefined,
        update: flags.update,
      });
      const membership = flags.org ? ` (${flags.role} of ${flags.org})` : '';
      const kind = user.is_superuser ? 'superuser' : 'user';
      process.stdout.write(
        `${created ? 'created' : 'updated'} ${kind} ${user.email}${membership}${password === undefined ? '; no password set: sign in after a password reset' : ''}\n`,
      );
    } catch (error) {
      // A refused email, role or password is one clear line, like a config error.
      if (error instanceof FaultlineError) throw new ConfigError(`createuser: ${error.message}`);
      throw error;
    } finally {
      await runtime.close();
    }
  },
);

const search = program.command('search').description('the issue search index (Typesense, when configured)');

withCommonOptions(
  search
    .command('reindex')
    .description('send every issue to Typesense (after setting TYPESENSE_URL, or to rebuild its collection)')
    .option('--batch-size <n>', 'issues per import request', '500'),
).action(async (flags: CommonFlags & { batchSize: string }) => {
  const config = configFrom(flags);
  const typesense = config.search.typesense;
  if (!typesense) {
    throw new ConfigError(
      'search reindex: set TYPESENSE_URL and TYPESENSE_API_KEY first (Postgres needs no index)',
    );
  }
  const batchSize = Number(flags.batchSize);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    throw new ConfigError('search reindex: --batch-size must be a whole number from 1 to 10000');
  }
  const runtime = await openRuntime(config, createLogger('warn'));
  const bar = progressBar('issues');
  try {
    const done = await reindexAllIssues({
      knex: runtime.db.knex,
      client: typesenseClient(typesense, 60),
      collection: typesense.collection,
      batchSize,
      onProgress: (count, total) => bar.update(count, total),
    });
    bar.stop();
    process.stdout.write(`indexed ${done} issues in Typesense collection ${typesense.collection}\n`);
  } finally {
    bar.stop();
    await runtime.close();
  }
});

program
  .command('openapi')
  .description('print the OpenAPI description of the REST API')
  .action(() => {
    process.stdout.write(JSON.stringify(describeApi(loadConfig({})), null, 2) + '\n');
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  // Config and usage problems are one clear line; anything else is a bug worth a stack.
  if (error instanceof ConfigError) process.stderr.write(`faultline: ${error.message}\n`);
  else
    process.stderr.write(
      `faultline: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  process.exit(1);
});
