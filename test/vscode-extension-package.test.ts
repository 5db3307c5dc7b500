import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './support/cli';

const EXTENSION = path.join(REPO_ROOT, 'vscode-extension');

/**
 * `npm run package -w vscode-extension`: esbuild bundles the client and the server to CommonJS and
 * vsce packages them (no dependencies: the bundles carry them) into a .vsix VS Code 1.100 accepts.
 */
describe('VS Code extension package', function () {
  this.timeout(180_000);
  const vsix = path.join(EXTENSION, 'faultline-vscode.vsix');

  after(() => rmSync(vsix, { force: true }));

  it('bundles and packages a .vsix holding the two bundles and the manifest', async () => {
    rmSync(vsix, { force: true });
    await promisify(execFile)('npm', ['run', 'package', '-w', 'vscode-extension'], {
      cwd: REPO_ROOT,
      timeout: 170_000,
    });
    // A zip names its entries in plain text: enough to see what went in without unzipping.
    const archive = readFileSync(vsix).toString('latin1');
    for (const entry of ['extension/package.json', 'extension/dist/extension.js', 'extension/dist/server.js'])
      assert.ok(archive.includes(entry), `${entry} is in the package`);
    assert.ok(!archive.includes('extension/node_modules/'), 'no dependencies beside the bundles');
    const manifest = JSON.parse(readFileSync(path.join(EXTENSION, 'package.json'), 'utf8')) as {
      engines: { vscode: string };
      main: string;
    };
    assert.equal(manifest.engines.vscode, '^1.100.0');
    assert.equal(manifest.main, './dist/extension.js');
    // The bundled server starts without the workspace's node_modules (it would throw on a missing module).
    const server = readFileSync(path.join(EXTENSION, 'dist', 'server.js'), 'utf8');
    assert.ok(!/require\("(@faultline\/api-client|vscode-languageserver[^"]*)"\)/.test(server));
  });
});
