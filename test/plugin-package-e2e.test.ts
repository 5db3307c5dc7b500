import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { sleep, waitFor } from './support/api';
import { envelopeUrl, eventEnvelope, parseTestDsn } from './support/envelopes';
import { httpRequest } from './support/http';
import {
  npmInstall,
  outsideRepository,
  packWorkspaces,
  runIn,
  type Tarballs,
} from './support/plugin-project';
import { startStack, type Stack } from './support/stack';

/** A third party's plugin, written from plugin-sdk/README.md: TypeScript, importing only the SDK. */
const PLUGIN_SOURCE = `import { coreServices, definePlugin, secret, withTag, z } from '@faultline/plugin-sdk';

const configSchema = z.object({
  team: z.string().min(1),
  token: secret(z.string()).optional(),
});

export default definePlugin({
  id: 'team-stamp',
  version: '1.0.0',
  hostVersion: '^0.1.0',
  configSchema,
  register(env) {
    env.registerInit({
      deps: { config: coreServices.config },
      init: ({ config }) => ({
        hooks: {
          async processEvent(event, { projectId }) {
            const { team } = await config.forProject(projectId);
            if (event.message === 'drop me') return null;
            return withTag(event, 'team', team);
          },
        },
      }),
    });
  },
});
`;

/** Its test, on node's own test runner, against the test host from the packed SDK and core. */
const PLUGIN_TEST = `const test = require('node:test');
const assert = require('node:assert/strict');
const { startTestHost } = require('@faultline/plugin-sdk/testing');

test('tags events with the team and drops what it should', async () => {
  const host = await startTestHost({ plugins: ['.'], config: { 'team-stamp': { team: 'payments' } } });
  try {
    const kept = await host.sendEvent({ message: 'keep me' });
    const dropped = await host.sendEvent({ message: 'drop me' });
    await host.waitForIdle();
    const events = '/api/0/projects/' + host.organization.slug + '/' + host.project.slug + '/events/';
    const event = await (await host.api(events + kept + '/')).json();
    assert.deepEqual(event.tags.filter((t) => t.key === 'team'), [{ key: 'team', value: 'payments' }]);
    assert.equal((await host.api(events + dropped + '/')).status, 404);
  } finally {
    await host.close();
  }
});
`;

function writePluginProject(dir: string, tarballs: Tarballs): void {
  const files: Record<string, string> = {
    'package.json': JSON.stringify(
      {
        name: 'faultline-plugin-team-stamp',
        version: '1.0.0',
        private: true,
        main: 'dist/index.js',
        scripts: { build: 'tsc', test: 'node --test test/' },
        dependencies: { '@faultline/plugin-sdk': `file:${tarballs['@faultline/plugin-sdk']}` },
        devDependencies: {
          '@faultline/core': `file:${tarballs['@faultline/core']}`,
          typescript: '^6.0.3',
          '@types/node': '^20.19.43',
        },
      },
      null,
      2,
    ),
    'tsconfig.json': JSON.stringify({
      compilerOptions: {
        target: 'es2022',
        module: 'node16',
        moduleResolution: 'node16',
        rootDir: 'src',
        outDir: 'dist',
        strict: true,
        types: ['node'],
      },
      include: ['src'],
    }),
    'src/index.ts': PLUGIN_SOURCE,
    'test/plugin.test.js': PLUGIN_TEST,
  };
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
}

describe('a plugin built outside the repository from the packed SDK', function () {
  // Packing, installing and building take a minute or two on a busy machine.
  this.timeout(300_000);
  let work: string;
  let plugin: string;
  let stack: Stack | undefined;

  before(async () => {
    work = outsideRepository('faultline-plugin-package-');
    const tarballs = await packWorkspaces(['plugin-sdk', 'core'], work);
    plugin = path.join(work, 'team-stamp');
    writePluginProject(plugin, tarballs);
    await npmInstall(plugin);
  });

  after(async () => {
    await stack?.dispose();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('installs the SDK and core as packages, not links into this repository', () => {
    for (const name of ['plugin-sdk', 'core']) {
      const installed = path.join(plugin, 'node_modules', '@faultline', name);
      assert.equal(fs.lstatSync(installed).isSymbolicLink(), false, name);
      assert.ok(fs.existsSync(path.join(installed, 'dist', 'index.d.ts')) || name === 'core', name);
    }
  });

  it('type-checks and builds, and its own test passes on the test host', async () => {
    await runIn(plugin, 'npm', ['run', 'build']);
    const output = await runIn(plugin, 'npm', ['test']);
    assert.match(output, /# pass 1/);
    assert.match(output, /# fail 0/);
  });

  it('runs in a real faultline start with PLUGINS=', async () => {
    stack = await startStack('embedded', {
      env: {
        PLUGINS: plugin,
        PLUGIN_CONFIG_TEAM_STAMP: JSON.stringify({ team: 'checkout' }),
        // 50 ms by default: the first event's call also starts the thread's first service call
        // (forProject), which a busy CI machine can take longer than that for.
        PLUGIN_EVENT_BUDGET_MS: '2000',
      },
    });
    const { organization, project } = stack.setup;
    const dsn = parseTestDsn(stack.setup.dsn);
    const send = async (message: string) => {
      const event = eventEnvelope({ message, fingerprint: [message] });
      const res = await httpRequest(envelopeUrl(stack!.baseUrl, dsn.projectId, dsn.publicKey), {
        method: 'POST',
        body: event.body,
      });
      assert.equal(res.status, 200, res.text());
      return event.eventId;
    };
    await send('drop me');
    const kept = await send('keep me');
    const stored = await waitFor('the kept event', async () => {
      try {
        return await stack!.api.projectEvent(organization, project, kept);
      } catch {
        return undefined;
      }
    });
    const tags = new Map((stored.tags ?? []).map((t) => [t.key, t.value]));
    assert.equal(tags.get('team'), 'checkout', JSON.stringify(stored.tags));
    await sleep(500);
    const issues = await stack.api.issues(organization, project);
    assert.deepEqual(
      issues.map((i) => i.title),
      ['keep me'],
    );
  });
});
