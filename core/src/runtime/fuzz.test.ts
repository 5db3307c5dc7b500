/**
 * Fuzzes every route of a real `faultline` server (the REST API as its OpenAPI document lists it,
 * and ingestion) with hostile input, on both databases, and asserts that no answer is a 5xx and
 * that the server still answers afterwards. Seeded and bounded: FUZZ_SEED=<n> replays a run (the
 * seed is printed), FUZZ_RUNS_PER_ROUTE and FUZZ_INGEST_RUNS set how many requests are sent.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { bootstrap, type BootstrapResult } from '../accounts';
import { loadConfig, type Config } from '../config';
import { createLogger } from '../logging';
import { storeEvents } from '../api/api-test-kit';
import { createPostgresDatabase, isPostgresReachable } from '../testing/databases';
import { envelopeRequest, headerValue, jsonBody, pathSegment, queryString } from '../testing/hostile-input';
import { openRuntime, startServices, type RunningServer, type Runtime } from './runtime';

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS_PER_ROUTE = Number(process.env.FUZZ_RUNS_PER_ROUTE ?? 8);
const INGEST_RUNS = Number(process.env.FUZZ_INGEST_RUNS ?? 400);
/** Wall-clock bound per database, whatever the counts: fast-check stops generating past it. */
const TIME_LIMIT_MS = Number(process.env.FUZZ_TIME_LIMIT_MS ?? 30_000);

interface Operation {
  method: string;
  path: string;
  query: string[];
  fields: string[];
}

interface Answer {
  status: number;
  request: string;
}

describe(`fuzzing every route with hostile input (FUZZ_SEED=${SEED})`, function () {
  this.timeout(180_000);
  before(() => console.log(`      fuzz seed: FUZZ_SEED=${SEED}`));

  for (const kind of ['embedded', 'postgres'] as const) {
    describe(`[${kind}]`, () => {
      let dataDir: string;
      let runtime: Runtime | undefined;
      let running: RunningServer | undefined;
      let dropDatabase: (() => Promise<void>) | undefined;
      let setup: BootstrapResult;
      let valid: Record<string, string>;

      before(async function () {
        if (kind === 'postgres' && !(await isPostgresReachable())) this.skip();
        dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-fuzz-'));
        let config: Config;
        if (kind === 'postgres') {
          const created = await createPostgresDatabase();
          dropDatabase = created.drop;
          config = loadConfig({
            DATABASE_URL: created.url,
            SECRET_KEY: randomBytes(32).toString('hex'),
            DATA_DIR: dataDir,
            PORT: '0',
          });
        } else {
          config = loadConfig({ DATA_DIR: dataDir, PORT: '0' });
        }
        runtime = await openRuntime(config, createLogger('silent'));
        running = await startServices(runtime, { http: true, workers: false });
        setup = await bootstrap(runtime.db.knex, {
          organization: 'acme',
          team: 'acme-team',
          project: 'app',
          platform: 'javascript',
          email: 'owner@acme.io',
          publicUrl: running.url,
        });
        valid = await validValues(runtime, running, setup);
      });

      after(async () => {
        await running?.stop();
        await runtime?.close();
        await dropDatabase?.();
        running = runtime = dropDatabase = undefined;
        if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
      });

      it('answers no request of any API route with a 5xx', async () => {
        const operations = await listOperations(running!.url);
        assert.ok(operations.length > 50, `only ${operations.length} routes in the OpenAPI document`);
        const deadline = Date.now() + TIME_LIMIT_MS * 0.6;
        const failures: string[] = [];
        for (const [index, operation] of operations.entries()) {
          const arbitrary = apiRequest(operation, valid, setup.token);
          const result = await fc.check(
            fc.asyncProperty(arbitrary, async (request) => {
              const answer = await send(running!.url, request);
              return answer.status < 500;
            }),
            {
              seed: SEED + index,
              numRuns: RUNS_PER_ROUTE,
              interruptAfterTimeLimit: Math.max(1000, deadline - Date.now()),
            },
          );
          if (result.failed) {
            failures.push(`${operation.method} ${operation.path}: ${fc.stringify(result.counterexample)}`);
          }
        }
        assert.deepEqual(
          failures,
          [],
          `5xx answers (replay with FUZZ_SEED=${SEED}):\n${failures.join('\n')}`,
        );
      });

      it('answers no ingestion request with a 5xx', async () => {
        const publicKey = decodeURIComponent(new URL(setup.dsn).username);
        const result = await fc.check(
          fc.asyncProperty(
            envelopeRequest({ validKey: publicKey, projectId: setup.projectId }),
            async (request) => {
              const answer = await send(running!.url, { method: 'POST', ...request });
              return answer.status < 500;
            },
          ),
          { seed: SEED, numRuns: INGEST_RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS * 0.4 },
        );
        assert.equal(
          result.failed,
          false,
          `5xx answer (replay with FUZZ_SEED=${SEED}): ${fc.stringify(result.counterexample)}`,
        );
      });

      it('still answers afterwards: health, the API and ingestion', async () => {
        assert.equal((await fetch(`${running!.url}/_health`)).status, 200);
        const me = await fetch(`${running!.url}/api/0/users/me/`, {
          headers: { Authorization: `Bearer ${setup.token}` },
        });
        assert.equal(me.status, 200);
        // A new key: the fuzzer may have disabled or rate-limited the bootstrap's own.
        const key = (await (
          await fetch(`${running!.url}/api/0/projects/acme/app/keys/`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${setup.token}`, 'Content-Type': 'application/json' },
            body: JSON.stringify({ name: 'after fuzzing' }),
          })
        ).json()) as { public: string };
        const event = await fetch(`${running!.url}/api/${setup.projectId}/store/?sentry_key=${key.public}`, {
          method: 'POST',
          body: JSON.stringify({ message: 'still here' }),
        });
        assert.equal(event.status, 200);
      });
    });
  }
});

/** Every operation of the API's own OpenAPI document, with its query parameters and body fields. */
async function listOperations(url: string): Promise<Operation[]> {
  const document = (await (await fetch(`${url}/api/0/openapi.json`)).json()) as {
    paths: Record<string, Record<string, OpenApiOperation>>;
  };
  const operations: Operation[] = [];
  for (const [route, methods] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const schema = op.requestBody?.content?.['application/json']?.schema;
      operations.push({
        method: method.toUpperCase(),
        path: route,
        query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        fields: Object.keys(schema?.properties ?? {}),
      });
    }
  }
  return operations;
}

interface OpenApiOperation {
  parameters?: { in: string; name: string }[];
  requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> };
}

interface HttpRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/**
 * A request for one operation: path parameters valid or hostile (always hostile for DELETE, so the
 * fuzzer doesn't delete the organization it is fuzzing), hostile query and body, and now and then
 * hostile credentials or a hostile request id.
 */
function apiRequest(op: Operation, valid: Record<string, string>, token: string): fc.Arbitrary<HttpRequest> {
  const names = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  const segments = fc.tuple(
    ...names.map((name) => pathSegment(op.method === 'DELETE' ? undefined : valid[name])),
  );
  const auth = fc.oneof(
    { weight: 30, arbitrary: fc.constant(`Bearer ${token}`) },
    { weight: 1, arbitrary: headerValue },
  );
  const requestId = fc.option(headerValue, { freq: 10 });
  return fc
    .tuple(segments, queryString(op.query), jsonBody(op.fields), auth, requestId)
    .map(([values, query, body, authorization, id]) => {
      let filled = op.path;
      names.forEach((name, i) => (filled = filled.replace(`{${name}}`, values[i])));
      const headers: Record<string, string> = { Authorization: authorization };
      if (id !== null) headers['X-Request-Id'] = id;
      if (body.contentType) headers['Content-Type'] = body.contentType;
      const withBody = op.method !== 'GET' && op.method !== 'HEAD';
      return {
        method: op.method,
        path: `${filled}${query ? `?${query}` : ''}`,
        headers,
        body: withBody ? body.bytes : undefined,
      };
    });
}

async function send(url: string, request: HttpRequest): Promise<Answer> {
  const response = await fetch(`${url}${request.path}`, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    redirect: 'manual',
  });
  // Change streams never end: their status is the answer.
  await response.body?.cancel();
  return { status: response.status, request: `${request.method} ${request.path}` };
}

/** Values that reach past authorization: the bootstrap's own, and an issue, event and comment. */
async function validValues(
  runtime: Runtime,
  running: RunningServer,
  setup: BootstrapResult,
): Promise<Record<string, string>> {
  await storeEvents(runtime.db.knex, setup.projectId, [
    { event_id: 'a'.repeat(32), message: 'fuzz target', platform: 'javascript' },
  ]);
  const auth = { Authorization: `Bearer ${setup.token}`, 'Content-Type': 'application/json' };
  const issues = (await (
    await fetch(`${running.url}/api/0/organizations/acme/issues/`, { headers: auth })
  ).json()) as { id: string; shortId: string }[];
  const issue = issues[0];
  const comment = (await (
    await fetch(`${running.url}/api/0/issues/${issue.id}/comments/`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ text: 'a comment to fuzz' }),
    })
  ).json()) as { id: string };
  const members = (await (
    await fetch(`${running.url}/api/0/organizations/acme/members/`, { headers: auth })
  ).json()) as { id: string }[];
  return {
    organization: 'acme',
    project: 'app',
    team: 'acme-team',
    issue: issue.id,
    shortId: issue.shortId,
    event: 'a'.repeat(32),
    comment: comment.id,
    member: members[0].id,
    keyId: decodeURIComponent(new URL(setup.dsn).username),
    pluginId: 'none',
    ruleId: '1',
  };
}
