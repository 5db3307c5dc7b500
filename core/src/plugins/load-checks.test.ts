import assert from 'node:assert/strict';
import path from 'node:path';
import knexFactory from 'knex';
import pino from 'pino';
import { z } from 'zod';
import { coreServices, createServiceRef, definePlugin, type PluginHooks } from '@faultline/plugin-sdk';
import { normalizeEvent } from '../events';
import { PluginHost, type PluginSpec } from './host';

const FIXTURES = path.join(__dirname, 'test-fixtures');
// Loading a plugin reads no table: a client that never connects is enough here.
const knex = knexFactory({ client: 'pg', connection: {}, pool: { min: 0 } });
const silent = pino({ level: 'silent' });

function plugin(id: string, extra: object, hooks: object = {}, deps: object = {}) {
  return definePlugin({
    id,
    version: '1.0.0',
    hostVersion: '*',
    ...extra,
    register(env) {
      env.registerInit({ deps: deps as never, init: () => ({ hooks: hooks as PluginHooks }) });
    },
  });
}

async function start(specs: PluginSpec[], rawConfigs?: Record<string, string>) {
  return PluginHost.start(specs, { knex, log: silent, baseDir: FIXTURES, rawConfigs });
}

describe('plugin load checks: mistakes are named at load time', () => {
  after(() => knex.destroy());

  it('skips a plugin with misspelled hooks, naming each with the hook it probably meant', async () => {
    const host = await start([
      plugin('typo-hooks', {}, { processEvents: (e: unknown) => e, onIssueCreate: () => undefined }),
    ]);
    assert.equal(host.loaded.length, 0);
    const [skip] = host.skipped;
    assert.match(skip.reason, /unknown hook hooks\.processEvents \(did you mean processEvent\?\)/);
    assert.match(skip.reason, /unknown hook hooks\.onIssueCreate \(did you mean onIssueCreated\?\)/);
  });

  it('skips a plugin asking for services the host lacks, naming every dep', async () => {
    const host = await start([
      plugin(
        'typo-deps',
        {},
        {},
        {
          log: coreServices.logger,
          store: (coreServices as Record<string, unknown>).stroage,
          search: createServiceRef({ id: 'core.search' }),
        },
      ),
    ]);
    const [skip] = host.skipped;
    assert.match(skip.reason, /deps\.store is undefined \(coreServices\.storage\?\)/);
    assert.match(skip.reason, /deps\.search asks for service core\.search, which this host does not provide/);
    assert.match(skip.reason, /This host provides: core\.config, core\.logger/);
    assert.doesNotMatch(skip.reason, /Cannot read properties/);
  });

  it('names the same mistakes for a plugin run on its own thread', async function () {
    this.timeout(20_000);
    const host = await start(['./misspelled']);
    assert.equal(host.loaded.length, 0);
    const [skip] = host.skipped;
    assert.match(skip.reason, /deps\.store is undefined \(coreServices\.storage\?\)/);
    await host.stop();
  });

  it('loads a plugin with unknown manifest keys, with a warning naming them', async () => {
    const host = await start([plugin('extra-keys', { hostVersions: '^0.1.0', descripton: 'x' })]);
    assert.equal(host.loaded.length, 1);
    assert.equal(host.warnings.length, 1);
    assert.match(host.warnings[0].message, /unknown manifest keys hostVersions, descripton are ignored/);
  });

  it('lists every invalid config field, with the variable to set', async () => {
    const configSchema = z.object({ room: z.string().min(2), retries: z.number().int() });
    const host = await start([plugin('two-bad', { configSchema })], {
      TWO_BAD: JSON.stringify({ room: 'x', retries: 'three' }),
    });
    const [skip] = host.skipped;
    assert.match(skip.reason, /room: /);
    assert.match(skip.reason, /retries: /);
    assert.match(skip.reason, /PLUGIN_CONFIG_TWO_BAD/);
  });

  it('names the budget setting when processEvent runs out of time', async () => {
    const lines: { msg: string; err?: { message: string } }[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const host = await PluginHost.start(
      [plugin('slow', {}, { processEvent: () => new Promise(() => undefined) })],
      { knex, log, eventBudgetMs: 20 },
    );
    const event = normalizeEvent({ event_id: 'a'.repeat(32), message: 'm' }, { receivedAt: Date.now() });
    assert.ok(await host.processEvent(event));
    const failure = lines.find((l) => /processEvent failed/.test(l.msg));
    assert.match(failure?.err?.message ?? '', /did not finish within 20 ms \(PLUGIN_EVENT_BUDGET_MS\)/);
  });
});
