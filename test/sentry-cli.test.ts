import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ok } from '@faultline/api-client';
import type { BootstrapResult } from '../core/src/accounts';
import { isPostgresReachable } from '../core/src/testing/databases';
import { ApiClient } from './support/api';
import { killOnExit, REPO_ROOT, runBootstrap } from './support/cli';
import { createDatabaseTarget, type DatabaseTarget } from './support/database';
import { freePort, FaultlineServer } from './support/server';

const SENTRY_CLI = path.join(REPO_ROOT, 'node_modules', '.bin', 'sentry-cli');

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real sentry-cli with only an organization token: no SENTRY_URL, no SENTRY_ORG, no config
 * file (HOME is empty), so the server and organization can only come from the token.
 */
function sentryCli(args: string[], token: string, cwd: string, home: string): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('SENTRY_')) env[name] = value;
  Object.assign(env, { HOME: home, SENTRY_AUTH_TOKEN: token, SENTRY_LOAD_DOTENV: '0' });
  return new Promise((resolve, reject) => {
    const child = spawn(SENTRY_CLI, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    killOnExit(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A git checkout with commits, for `set-commits --local`. */
class GitRepo {
  constructor(readonly dir: string) {
    this.git('init', '-q', '-b', 'main');
    this.git('config', 'user.email', 'dev@acme.io');
    this.git('config', 'user.name', 'Dev Eloper');
  }

  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.dir, encoding: 'utf8' }).trim();
  }

  /** Commits a file change; returns the new commit's sha. */
  commit(file: string, text: string, message: string): string {
    fs.writeFileSync(path.join(this.dir, file), text);
    this.git('add', file);
    this.git('commit', '-q', '-m', message);
    return this.git('rev-parse', 'HEAD');
  }
}

/**
 * sentry-cli 3.8 from npm, unmodified, runs a CI release flow against a real `faultline start`
 * with nothing but an `sntrys_` organization token; the API then shows what it recorded.
 */
for (const kind of ['postgres', 'embedded'] as const) {
  describe(`sentry-cli releases against a running faultline [${kind}]`, function () {
    this.timeout(180_000);
    let target: DatabaseTarget | undefined;
    let server: FaultlineServer | undefined;
    let setup: BootstrapResult;
    let owner: ApiClient;
    let ciToken: string;
    let work: string;
    let home: string;
    const cli = (args: string[], cwd = work) => sentryCli(args, ciToken, cwd, home);
    const succeed = async (args: string[], cwd = work) => {
      const run = await cli(args, cwd);
      assert.equal(run.code, 0, `sentry-cli ${args.join(' ')} failed:\n${run.stderr}${run.stdout}`);
      return run;
    };
    const release = (version: string) =>
      ok(
        owner.client.GET('/api/0/organizations/{organization}/releases/{version}/', {
          params: { path: { organization: setup.organization, version } },
        }),
      );

    before(async function () {
      if (kind === 'postgres' && !(await isPostgresReachable())) this.skip();
      target = await createDatabaseTarget(kind);
      const port = await freePort();
      setup = await runBootstrap([...target.cliArgs, '--port', String(port)]);
      server = await FaultlineServer.start(target, { port });
      owner = new ApiClient(server.url, setup.token);
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-sentry-cli-'));
      home = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-sentry-cli-home-'));
      const made = await ok(
        owner.client.POST('/api/0/organizations/{organization}/org-auth-tokens/', {
          params: { path: { organization: setup.organization } },
          body: { name: 'CI', scopes: ['project:releases', 'project:read', 'org:read'] },
        }),
      );
      ciToken = made.token;
    });

    after(async () => {
      await server?.stop();
      await target?.dispose();
      for (const dir of [work, home]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it('mints organization tokens in Sentry’s sntrys_ form, naming this server and organization', () => {
      const [prefix, claims, secret] = ciToken.split('_');
      assert.equal(prefix, 'sntrys');
      const payload = JSON.parse(Buffer.from(claims, 'base64').toString('utf8'));
      assert.equal(payload.url, server!.url);
      assert.equal(payload.org, setup.organization);
      assert.equal(Buffer.from(secret, 'base64').length, 32);
    });

    it('sentry-cli info reads the token’s scopes from GET /api/0/', async () => {
      const run = await succeed(['info']);
      assert.match(run.stdout, new RegExp(server!.url.replace(/[.:/]/g, '\\$&')));
      assert.match(run.stdout, /project:releases/);
    });

    it('creates, commits (--local), finalizes, deploys and lists a release', async () => {
      const repo = new GitRepo(work);
      repo.commit('a.txt', 'one', 'First commit');
      const v1Head = repo.commit('b.txt', 'two', 'Second commit');
      const v1 = 'shop@1.0.0+b#1';
      await succeed(['releases', 'new', '-p', setup.project, v1]);
      await succeed(['releases', 'set-commits', v1, '--local']);
      let shown = await release(v1);
      assert.equal(shown.version, v1);
      assert.deepEqual(
        shown.projects.map((p) => p.slug),
        [setup.project],
      );
      assert.equal(shown.commitCount, 2);
      assert.equal(shown.lastCommit?.id, v1Head);
      assert.equal(shown.lastCommit?.message?.trim(), 'Second commit');
      assert.equal(shown.dateReleased, null);

      await succeed(['releases', 'finalize', v1]);
      await succeed(['releases', 'deploys', v1, 'new', '-e', 'production']);
      shown = await release(v1);
      assert.ok(shown.dateReleased, 'finalize sets dateReleased');
      assert.equal(shown.deployCount, 1);
      assert.equal(shown.lastDeploy?.environment, 'production');

      // The next release's commits start after the previous release's head (previous-with-commits).
      const v2Head = repo.commit('c.txt', 'three', 'Third commit');
      const v2 = 'shop@1.1.0';
      await succeed(['releases', 'new', '-p', setup.project, v2]);
      await succeed(['releases', 'set-commits', v2, '--local']);
      shown = await release(v2);
      assert.equal(shown.commitCount, 1, 'only the commit made since shop@1.0.0+b#1');
      assert.equal(shown.lastCommit?.id, v2Head);

      const info = await succeed(['releases', 'info', v1]);
      assert.match(info.stdout, /shop@1\.0\.0\+b#1/);
      const list = await succeed(['releases', 'list', '-p', setup.project]);
      assert.match(list.stdout, /shop@1\.1\.0/);
      assert.match(list.stdout, /shop@1\.0\.0\+b#1/);
      const deploys = await succeed(['releases', 'deploys', v1, 'list']);
      assert.match(deploys.stdout, /production/);
    });

    it('sets a release’s head commit from a repository created through the API (--commit)', async () => {
      await ok(
        owner.client.POST('/api/0/organizations/{organization}/repos/', {
          params: { path: { organization: setup.organization } },
          body: { name: 'acme/shop', provider: 'integrations:github', url: 'https://github.com/acme/shop' },
        }),
      );
      const sha = 'a'.repeat(40);
      const v3 = 'shop@2.0.0';
      await succeed(['releases', 'new', '-p', setup.project, v3]);
      await succeed(['releases', 'set-commits', v3, '--commit', `acme/shop@${sha}`]);
      const shown = await release(v3);
      assert.equal(shown.lastCommit?.id, sha);
      assert.equal(shown.lastCommit?.repository.name, 'acme/shop');
      // An unknown repository is refused, naming it.
      const unknown = await cli(['releases', 'set-commits', v3, '--commit', `acme/nope@${sha}`]);
      assert.notEqual(unknown.code, 0);
      assert.match(unknown.stderr + unknown.stdout, /acme\/nope/);
    });
  });
}
