import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { npmInstall, outsideRepository, packWorkspaces, runIn } from './support/plugin-project';

/**
 * `npm create @faultline/plugin <name>` as an author runs it, from the packed scaffolder (npm runs
 * the package's bin; `npm exec --package` is what `npm create` does once it resolved the name), with
 * the SDK and core from their packed tarballs. The generated plugin's own test must pass.
 */
describe('create-plugin from its packed tarball', function () {
  // Packing, installing and building take a minute or two on a busy machine.
  this.timeout(300_000);
  let work: string;

  before(() => {
    work = outsideRepository('faultline-create-plugin-');
  });
  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('writes a plugin whose own test passes against the test host', async () => {
    const tarballs = await packWorkspaces(['create-plugin', 'plugin-sdk', 'core'], work);
    const output = await runIn(work, 'npm', [
      'exec',
      '--yes',
      '--prefer-offline',
      `--package=${tarballs['@faultline/create-plugin']}`,
      '--',
      'create-plugin',
      '@acme/faultline-team-stamp',
      '--sdk',
      `file:${tarballs['@faultline/plugin-sdk']}`,
      '--core',
      `file:${tarballs['@faultline/core']}`,
    ]);
    assert.match(output, /Wrote the plugin faultline-team-stamp to faultline-team-stamp\//);
    const plugin = path.join(work, 'faultline-team-stamp');
    assert.deepEqual(fs.readdirSync(plugin).sort(), [
      '.gitignore',
      'README.md',
      'package.json',
      'src',
      'test',
      'tsconfig.json',
    ]);

    await npmInstall(plugin);
    const tested = await runIn(plugin, 'npm', ['test']);
    assert.match(tested, /# pass 1/);
    assert.match(tested, /# fail 0/);
  });

  it('refuses a folder that is not empty, writing nothing', async () => {
    const tarball = (await packWorkspaces(['create-plugin'], work))['@faultline/create-plugin'];
    fs.mkdirSync(path.join(work, 'taken'));
    fs.writeFileSync(path.join(work, 'taken', 'notes.txt'), 'mine');
    await assert.rejects(
      runIn(work, 'npm', ['exec', '--yes', `--package=${tarball}`, '--', 'create-plugin', 'taken']),
      /already exists and is not empty/,
    );
    assert.deepEqual(fs.readdirSync(path.join(work, 'taken')), ['notes.txt']);
  });
});
