import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { errorEvent, seedAccount, storeEvents } from '../api/api-test-kit';
import { SETTINGS_DOC } from '../config';
import { isPostgresReachable, openTestDatabase, type TestDatabase } from '../testing/databases';
import { startTypesenseStandIn, type TypesenseStandIn } from '../testing/typesense';

const ROOT = path.resolve(__dirname, '../../..');
const MAIN = path.join(ROOT, 'core/src/cli/main.ts');

/** Runs the CLI without blocking this process (the stand-in answers it from here). */
async function faultline(args: string[], env: Record<string, string>) {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(SETTINGS_DOC)) delete base[name];
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', MAIN, ...args],
      {
        cwd: ROOT,
        env: { ...base, ...env },
        encoding: 'utf8',
      },
    );
    return { status: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { status: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

// A second process shares the database: Postgres only (the embedded one belongs to one process).
describe('faultline search reindex (CLI)', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let standIn: TypesenseStandIn;

  before(async function () {
    if (!(await isPostgresReachable())) this.skip();
    db = await openTestDatabase('postgres');
    const { projectId } = await seedAccount(db.knex, {
      organization: 'acme',
      project: 'app',
      email: 'a@acme.io',
    });
    await storeEvents(
      db.knex,
      projectId,
      ['one', 'two', 'three'].map((functionName) =>
        errorEvent({ type: 'Error', value: functionName, functionName }),
      ),
    );
    standIn = await startTypesenseStandIn();
  });

  after(async () => {
    await standIn?.close();
    await db?.close();
  });

  it('sends every issue to Typesense in batches, showing progress, and can run again', async () => {
    const env = {
      SECRET_KEY: randomBytes(32).toString('base64'),
      TYPESENSE_URL: standIn.url,
      TYPESENSE_API_KEY: standIn.apiKey,
      TYPESENSE_COLLECTION: 'issues',
    };
    const run = await faultline(['search', 'reindex', '--database-url', db.url!, '--batch-size', '2'], env);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, 'indexed 3 issues in Typesense collection issues\n');
    assert.match(run.stderr, /100% \| 3\/3 issues/);
    const documents = standIn.documents('issues');
    const ids = (await db.knex('issues').select('id')).map((row: { id: number }) => String(row.id));
    assert.deepEqual([...documents.keys()].sort(), ids.sort());
    assert.equal(standIn.requests.filter((r) => r.endsWith('/documents/import')).length, 2);

    const again = await faultline(['search', 'reindex', '--database-url', db.url!], env);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(standIn.documents('issues').size, 3);
  });

  it('says what to set when Typesense is not configured', async () => {
    const run = await faultline(['search', 'reindex', '--database-url', db.url!], {});
    assert.equal(run.status, 1);
    assert.equal(
      run.stderr,
      'faultline: search reindex: set TYPESENSE_URL and TYPESENSE_API_KEY first (Postgres needs no index)\n',
    );
  });
});
