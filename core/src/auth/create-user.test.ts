import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectDatabase, migrateToLatest, type Database } from '../db';
import { SETTINGS_DOC } from '../config';
import { createPostgresDatabase, describeEachDatabase, isPostgresReachable } from '../testing/databases';
import { createUser } from './create-user';
import { PasswordPolicyError } from './errors';
import { PasswordService } from './password-service';
import { FAST_HASHER, TEST_SECRET_KEY } from './test-helpers';

const ROOT = path.resolve(__dirname, '../../..');
const MAIN = path.join(ROOT, 'core/src/cli/main.ts');

function faultline(args: string[], input?: string, extraEnv: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
  for (const name of Object.keys(SETTINGS_DOC)) if (!(name in extraEnv)) delete env[name];
  return spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
    env,
    input,
    encoding: 'utf8',
  });
}

describe('faultline createuser (CLI)', function () {
  this.timeout(120_000);
  const PASSWORD = 'piped secret passphrase';

  it('creates a superuser from a password on stdin, in an embedded data dir, never printing it', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-createuser-'));
    try {
      const run = faultline(
        [
          'createuser',
          '--data-dir',
          dataDir,
          '--email',
          'root@example.com',
          '--password-stdin',
          '--superuser',
        ],
        PASSWORD + '\n',
      );
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stdout, 'created superuser root@example.com\n');
      assert.ok(!(run.stdout + run.stderr).includes(PASSWORD));

      const again = faultline([
        'createuser',
        '--data-dir',
        dataDir,
        '--email',
        'root@example.com',
        '--password',
        'whatever long enough',
      ]);
      assert.equal(again.status, 1);
      assert.match(
        again.stderr,
        /^faultline: createuser: A user with the email root@example.com already exists/,
      );

      const weak = faultline([
        'createuser',
        '--data-dir',
        dataDir,
        '--email',
        'weak@example.com',
        '--password',
        'weak@example.com',
      ]);
      assert.equal(weak.status, 1);
      assert.equal(weak.stderr, 'faultline: createuser: The password must not be your email address\n');
      assert.ok(!weak.stdout.includes('weak@example.com'));

      const db = connectDatabase({ kind: 'embedded', dataDir: path.join(dataDir, 'pgdata') });
      try {
        const user = await new PasswordService(db.knex).verifyPassword('root@example.com', PASSWORD);
        assert.equal(user?.is_superuser, true);
        assert.equal(await db.knex('users').where({ email: 'weak@example.com' }).first(), undefined);
      } finally {
        await db.close();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('adds the user to an organization with a role on Postgres', async function () {
    if (!(await isPostgresReachable())) this.skip();
    const created = await createPostgresDatabase();
    let db: Database | undefined;
    try {
      db = connectDatabase({ kind: 'postgres', url: created.url, poolMax: 2 });
      await migrateToLatest(db.knex);
      await db.knex('organizations').insert({ slug: 'acme', name: 'Acme' });
      const run = faultline(
        [
          'createuser',
          '--email',
          'dev@acme.test',
          '--password',
          PASSWORD,
          '--org',
          'acme',
          '--role',
          'admin',
        ],
        undefined,
        // Every command on Postgres needs the deployment's SECRET_KEY.
        { DATABASE_URL: created.url, SECRET_KEY: TEST_SECRET_KEY.toString('base64') },
      );
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stdout, 'created user dev@acme.test (admin of acme)\n');
      const user = await new PasswordService(db.knex).verifyPassword('dev@acme.test', PASSWORD);
      assert.ok(user);
      const member = await db.knex('organization_members').where({ user_id: user.id }).first('role');
      assert.equal(member.role, 'admin');
      const missing = faultline(['createuser', '--email', 'x@acme.test', '--org', 'nope'], undefined, {
        DATABASE_URL: created.url,
        SECRET_KEY: TEST_SECRET_KEY.toString('base64'),
      });
      assert.equal(missing.status, 1);
      assert.match(missing.stderr, /No organization with the slug "nope"/);
    } finally {
      await db?.close();
      await created.drop();
    }
  });
});

describeEachDatabase('createUser', (ctx) => {
  it('validates email and role, applies the policy before writing, and updates only with `update`', async () => {
    const { knex } = ctx.db;
    await assert.rejects(createUser(knex, { email: 'not-an-email' }, FAST_HASHER), /not an email address/);
    await knex('organizations').insert({ slug: 'org-cu', name: 'Org' });
    await assert.rejects(
      createUser(
        knex,
        { email: 'r@example.com', organization: { slug: 'org-cu', role: 'emperor' } },
        FAST_HASHER,
      ),
      /Unknown role "emperor"/,
    );
    await assert.rejects(
      createUser(knex, { email: 'p@example.com', password: 'short' }, FAST_HASHER),
      PasswordPolicyError,
    );
    assert.equal(await knex('users').where({ email: 'p@example.com' }).first(), undefined);

    const first = await createUser(knex, { email: 'p@example.com' }, FAST_HASHER);
    assert.equal(first.created, true);
    assert.equal(first.user.is_superuser, false);
    const updated = await createUser(
      knex,
      {
        email: 'P@example.com',
        password: 'now with a password',
        superuser: true,
        organization: { slug: 'org-cu', role: 'owner' },
        update: true,
      },
      FAST_HASHER,
    );
    assert.equal(updated.created, false);
    assert.equal(updated.user.id, first.user.id);
    assert.equal(updated.user.is_superuser, true);
    assert.equal(
      (await new PasswordService(knex, FAST_HASHER).verifyPassword('p@example.com', 'now with a password'))
        ?.id,
      first.user.id,
    );
  });
});
