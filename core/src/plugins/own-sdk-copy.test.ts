import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { Knex } from 'knex';
import type * as zod from 'zod';
import type * as sdk from '@faultline/plugin-sdk';
import { isInstallationOnly, isSecret, PluginConfigError, PluginError } from '@faultline/plugin-sdk';
import { seedAccount, startApiServer, type ApiServer } from '../api/api-test-kit';
import { deriveKey, SecretBox } from '../auth';
import { describeEachDatabase } from '../testing/databases';
import { PluginHost } from './host';
import { PluginAdmin, type PluginView } from './plugin-admin';
import { PLUGIN_SETTINGS_PURPOSE, PluginSettingsStore } from './settings';

const silent = pino({ level: 'silent' });
const SDK_DIR = path.dirname(require.resolve('@faultline/plugin-sdk/package.json'));
const ZOD_DIR = path.dirname(require.resolve('zod/package.json'));
const SECRET_TOKEN = 'tok-own-copy-very-secret';

/**
 * A plugin as npm installs it: in a folder outside the repository, with its own copies of the SDK
 * (built) and of zod in its node_modules, so none of its marks come from the host's copy.
 */
function writePlugin(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-own-sdk-'));
  const sdk = path.join(dir, 'node_modules', '@faultline', 'plugin-sdk');
  fs.mkdirSync(sdk, { recursive: true });
  fs.copyFileSync(path.join(SDK_DIR, 'package.json'), path.join(sdk, 'package.json'));
  fs.cpSync(path.join(SDK_DIR, 'dist'), path.join(sdk, 'dist'), { recursive: true });
  fs.cpSync(ZOD_DIR, path.join(dir, 'node_modules', 'zod'), { recursive: true, dereference: true });
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'faultline-plugin-own-copy', version: '1.0.0', main: 'index.js' }),
  );
  fs.writeFileSync(
    path.join(dir, 'index.js'),
    `const { z } = require('zod');
const { definePlugin, secret, installationOnly } = require('@faultline/plugin-sdk');
module.exports = definePlugin({
  id: 'own-copy',
  version: '1.0.0',
  hostVersion: '*',
  configSchema: z.object({
    room: z.string().default('ops'),
    token: secret(z.string().min(10)).optional().describe('API token'),
    apiUrl: installationOnly(z.url()).default('https://api.example.com/'),
  }),
  register(env) {
    env.registerInit({ deps: {}, init: () => ({ hooks: { onIssueCreated() {} } }) });
  },
});
`,
  );
  return dir;
}

describeEachDatabase('a plugin with its own copy of the SDK', (ctx) => {
  let dir: string;
  let knex: Knex;
  let host: PluginHost;
  let api: ApiServer;
  let token: string;

  before(async function () {
    this.timeout(30_000);
    dir = writePlugin();
    knex = ctx.db.knex;
    const seeded = await seedAccount(knex, { organization: 'acme', project: 'shop', email: 'o@acme.io' });
    token = seeded.token;
    const settings = new PluginSettingsStore(
      knex,
      new SecretBox(deriveKey(randomBytes(32), PLUGIN_SETTINGS_PURPOSE)),
    );
    host = await PluginHost.start([dir], { knex, log: silent, settings });
    assert.deepEqual(host.skipped, []);
    api = await startApiServer(knex, { plugins: new PluginAdmin(host, settings) });
  });

  after(async () => {
    await host?.stop();
    await api?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const ORG = '/api/0/organizations/acme/plugins/own-copy/';

  it('keeps its secret and installation-only marks: listed, masked, sealed at rest', async () => {
    const list = await api.request('GET', '/api/0/organizations/acme/plugins/', undefined, token);
    const view = (list.body as PluginView[]).find((p) => p.id === 'own-copy');
    assert.deepEqual(view?.configFields, [
      { name: 'room', secret: false, installationOnly: false },
      { name: 'token', secret: true, installationOnly: false },
      { name: 'apiUrl', secret: false, installationOnly: true },
    ]);

    const put = await api.request('PUT', ORG, { config: { token: SECRET_TOKEN } }, token);
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual((put.body as PluginView).config.token, { set: true });
    assert.doesNotMatch(JSON.stringify(put.body), /very-secret/);
    const row = await knex('plugin_settings').where({ plugin_id: 'own-copy' }).first();
    assert.doesNotMatch(JSON.stringify(row), /very-secret/);
    const sealed = (typeof row.secrets === 'string' ? JSON.parse(row.secrets) : row.secrets) as Record<
      string,
      string
    >;
    assert.match(sealed.token, /^v1\./);
  });

  it('refuses an organization admin aiming its installation-only URL at the internal network', async () => {
    const put = await api.request('PUT', ORG, { config: { apiUrl: 'http://169.254.169.254/' } }, token);
    assert.equal(put.status, 400);
    assert.match(
      (put.body as { detail: string }).detail,
      /config\.apiUrl: can only be set in the installation config \(PLUGIN_CONFIG_OWN_COPY\)/,
    );
  });

  it('recognises marks and error classes made by the other copy', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const copy = require(path.join(dir, 'node_modules', '@faultline', 'plugin-sdk')) as typeof sdk;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { z } = require(path.join(dir, 'node_modules', 'zod')) as typeof zod;
    assert.notEqual(copy.PluginError, PluginError, 'the test needs a second copy of the SDK');
    assert.equal(isSecret(copy.secret(z.string()).optional()), true);
    assert.equal(isInstallationOnly(copy.installationOnly(z.string()).default('x')), true);
    assert.equal(isSecret(z.string()), false);

    const fromCopy = new copy.PluginConfigError('bad config');
    assert.ok(fromCopy instanceof PluginConfigError);
    assert.ok(fromCopy instanceof PluginError);
    assert.ok(new PluginConfigError('x') instanceof copy.PluginError);
    assert.ok(!(new PluginError('x') instanceof copy.PluginConfigError));
    assert.ok(!(new Error('x') instanceof PluginError));
    class OwnError extends copy.PluginError {}
    assert.ok(new OwnError('x') instanceof PluginError);
    assert.ok(!(new copy.PluginError('x') instanceof OwnError), 'a subclass keeps ordinary instanceof');
  });
});
