import type { PluginNames } from './names';

/** Where the new plugin gets the SDK and the test host from: npm ranges, or tarballs and folders. */
export interface DependencySpecs {
  sdk: string;
  core: string;
}

/**
 * The files of a new plugin, by path: a TypeScript plugin built to CommonJS (what the host
 * `require`s), a test on node's own runner against the real test host, and a README. The example
 * hook is small on purpose, but complete: config with a default, per-project config in
 * `processEvent`, a test that reads the stored event back through the REST API.
 */
export function pluginFiles(names: PluginNames, specs: DependencySpecs): Record<string, string> {
  const { id, packageName } = names;
  return {
    'package.json': `${JSON.stringify(
      {
        name: packageName,
        version: '0.1.0',
        description: `Faultline plugin ${id}`,
        license: 'MIT',
        keywords: ['faultline', 'faultline-plugin'],
        main: 'dist/index.js',
        types: 'dist/index.d.ts',
        files: ['dist'],
        scripts: {
          build: 'tsc',
          test: 'tsc && node --test test/',
          prepack: 'tsc',
        },
        dependencies: { '@faultline/plugin-sdk': specs.sdk },
        devDependencies: {
          '@faultline/core': specs.core,
          '@types/node': '^20.19.0',
          typescript: '^6.0.3',
        },
      },
      null,
      2,
    )}\n`,
    'tsconfig.json': `${JSON.stringify(
      {
        compilerOptions: {
          target: 'es2022',
          module: 'node16',
          moduleResolution: 'node16',
          rootDir: 'src',
          outDir: 'dist',
          declaration: true,
          strict: true,
          types: ['node'],
        },
        include: ['src'],
      },
      null,
      2,
    )}\n`,
    '.gitignore': 'node_modules/\ndist/\n*.tgz\n',
    'src/index.ts': `import { coreServices, definePlugin, withTag, z } from '@faultline/plugin-sdk';

const configSchema = z.object({
  /** The value of the \`team\` tag added to every event. */
  team: z.string().min(1).default('unassigned'),
});

export default definePlugin({
  id: '${id}',
  version: '0.1.0',
  hostVersion: '^0.1.0',
  description: 'Tags every event with the team that owns the project',
  configSchema,
  register(env) {
    env.registerInit({
      deps: { logger: coreServices.logger, config: coreServices.config },
      init({ logger, config }) {
        logger.info('ready', { team: config.value.team });
        return {
          hooks: {
            async processEvent(event, { projectId }) {
              // The config in effect for the event's project (organizations and projects may
              // override fields through the REST API); the host reads it once per batch.
              const { team } = await config.forProject(projectId);
              return withTag(event, 'team', team);
            },
          },
        };
      },
    });
  },
});
`,
    'test/plugin.test.js': `// Runs the built plugin (\`npm test\` builds first) on a real Faultline test host.
const test = require('node:test');
const assert = require('node:assert/strict');
const { startTestHost } = require('@faultline/plugin-sdk/testing');

test('tags every event with the team from its config', async () => {
  // '.': this folder, loaded as PLUGINS would load it, on a worker thread of its own.
  const host = await startTestHost({ plugins: ['.'], config: { '${id}': { team: 'payments' } } });
  try {
    const eventId = await host.sendEvent({ message: 'Checkout failed', level: 'error' });
    await host.waitForIdle();
    const path = \`/api/0/projects/\${host.organization.slug}/\${host.project.slug}/events/\${eventId}/\`;
    const answer = await host.api(path);
    assert.equal(answer.status, 200);
    const event = await answer.json();
    assert.deepEqual(
      event.tags.filter((tag) => tag.key === 'team'),
      [{ key: 'team', value: 'payments' }],
    );
  } finally {
    await host.close();
  }
});
`,
    'README.md': `# ${packageName}

A [Faultline](https://www.npmjs.com/package/@faultline/plugin-sdk) plugin (id \`${id}\`): tags every
event with the team that owns its project.

\`\`\`sh
npm install
npm test          # builds, then runs test/ against a real Faultline test host
\`\`\`

Run it in Faultline: \`PLUGINS=/path/to/${names.folder} PLUGIN_CONFIG_${id.toUpperCase().replace(/-/g, '_')}='{"team":"payments"}' faultline start\`
(build it first). Writing plugins: the README of \`@faultline/plugin-sdk\`.
`,
  };
}
