import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config';
import { ConfigError } from '../errors';
import { deriveKey, loadSecretKey } from './secret-key';

describe('SECRET_KEY', () => {
  const hex = 'ab'.repeat(32);
  const base64 = Buffer.alloc(32, 7).toString('base64');

  it('is read as hex or base64 and must be at least 32 bytes, never echoed in the error', () => {
    assert.deepEqual(loadConfig({ SECRET_KEY: hex }).secretKey, Buffer.from(hex, 'hex'));
    assert.deepEqual(loadConfig({ SECRET_KEY: base64 }).secretKey, Buffer.alloc(32, 7));
    for (const bad of ['ab'.repeat(16), 'too short', Buffer.alloc(31).toString('base64')]) {
      assert.throws(
        () => loadConfig({ SECRET_KEY: bad }),
        (error: unknown) =>
          error instanceof ConfigError &&
          /^Invalid setting SECRET_KEY: must be at least 32 bytes/.test(error.message) &&
          !error.message.includes(bad),
      );
    }
    assert.equal(loadConfig({}).secretKey, undefined);
  });

  it('embedded mode without SECRET_KEY generates DATA_DIR/secret.key (0600) once and reuses it', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-key-'));
    try {
      const config = loadConfig({ DATA_DIR: dataDir });
      const first = loadSecretKey(config);
      assert.equal(first.length, 32);
      const file = path.join(dataDir, 'secret.key');
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      assert.deepEqual(loadSecretKey(config), first);
      assert.deepEqual(
        loadSecretKey(loadConfig({ DATA_DIR: dataDir, SECRET_KEY: hex })),
        Buffer.from(hex, 'hex'),
      );
      fs.writeFileSync(file, 'garbage');
      assert.throws(() => loadSecretKey(config), /secret\.key must hold at least 32 bytes/);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('is required with DATABASE_URL', () => {
    assert.throws(
      () => loadSecretKey(loadConfig({ DATABASE_URL: 'postgres://localhost/x' })),
      /SECRET_KEY is required with DATABASE_URL/,
    );
  });

  it('derives distinct keys per purpose', () => {
    const key = Buffer.alloc(32, 1);
    assert.notDeepEqual(deriveKey(key, 'csrf'), deriveKey(key, 'totp-seeds'));
    assert.deepEqual(deriveKey(key, 'csrf'), deriveKey(Buffer.alloc(32, 1), 'csrf'));
    assert.equal(deriveKey(key, 'csrf').length, 32);
  });
});
