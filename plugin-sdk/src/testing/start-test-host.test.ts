import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** This package's folder (the same from src/testing under tsx and from dist/testing once built). */
const PACKAGE_DIR = path.resolve(__dirname, '..', '..');

describe('startTestHost without @faultline/core', () => {
  let project: string;

  before(() => {
    // A plugin project that installed the SDK (as built: `npx tsc -b`) but not core.
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-plugin-project-'));
    const installed = path.join(project, 'node_modules', '@faultline', 'plugin-sdk');
    fs.mkdirSync(installed, { recursive: true });
    fs.copyFileSync(path.join(PACKAGE_DIR, 'package.json'), path.join(installed, 'package.json'));
    fs.cpSync(path.join(PACKAGE_DIR, 'dist'), path.join(installed, 'dist'), { recursive: true });
  });
  after(() => {
    fs.rmSync(project, { recursive: true, force: true });
  });

  it('fails with code test_host_unavailable, saying to install @faultline/core', () => {
    const script = `require('@faultline/plugin-sdk/testing').startTestHost({ plugins: [] }).then(
      () => console.log(JSON.stringify({ started: true })),
      (error) => console.log(JSON.stringify({ code: error.code, message: error.message })),
    );`;
    const output = execFileSync(process.execPath, ['-e', script], {
      cwd: project,
      env: { ...process.env, NODE_PATH: '', NODE_OPTIONS: '' },
      encoding: 'utf8',
    });
    const result = JSON.parse(output) as { code?: string; message?: string };
    assert.equal(result.code, 'test_host_unavailable');
    assert.match(result.message ?? '', /npm install --save-dev @faultline\/core/);
  });
});
