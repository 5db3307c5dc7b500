import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../errors';
import { DEFAULT_WEB_DIR, loadConfig } from '.';

describe('WEB_DIR setting', () => {
  it("defaults to this checkout's web/dist", () => {
    assert.equal(DEFAULT_WEB_DIR, path.resolve(__dirname, '../../../web/dist'));
    assert.equal(loadConfig({}).http.webDir, DEFAULT_WEB_DIR);
  });

  it('takes a folder holding a built web UI', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-web-'));
    try {
      fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html>');
      assert.equal(loadConfig({ WEB_DIR: dir }).http.webDir, dir);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops start-up with one line naming the setting when the folder holds no web UI', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-noweb-'));
    try {
      assert.throws(
        () => loadConfig({ WEB_DIR: dir }),
        (error: unknown) =>
          error instanceof ConfigError &&
          /^Invalid setting WEB_DIR: must be a folder holding a built web UI/.test(error.message),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
