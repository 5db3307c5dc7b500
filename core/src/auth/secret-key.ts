import fs from 'node:fs';
import path from 'node:path';
import { hkdfSync, randomBytes } from 'node:crypto';
import { decodeSecretKey, type Config } from '../config';
import { ConfigError } from '../errors';

export const SECRET_KEY_FILE = 'secret.key';

/**
 * The server's secret key: SECRET_KEY when set. Otherwise, in embedded mode, DATA_DIR/secret.key,
 * generated (mode 0600) on first start and reused after; with Postgres it is required, because
 * every instance must share it and a key generated per machine would not be.
 */
export function loadSecretKey(config: Pick<Config, 'secretKey' | 'database' | 'dataDir'>): Buffer {
  if (config.secretKey) return config.secretKey;
  if (config.database.kind === 'postgres') {
    throw new ConfigError(
      'SECRET_KEY is required with DATABASE_URL (every instance must share it); generate one with `openssl rand -base64 32`',
    );
  }
  const file = path.join(config.dataDir, SECRET_KEY_FILE);
  fs.mkdirSync(config.dataDir, { recursive: true });
  try {
    // 'wx' fails when the file exists, so two processes starting at once keep the first one's key.
    fs.writeFileSync(file, randomBytes(32).toString('base64') + '\n', { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const key = decodeSecretKey(fs.readFileSync(file, 'utf8'));
  if (key.length < 32) {
    throw new ConfigError(
      `${file} must hold at least 32 bytes written as hex or base64; delete it to generate a new one`,
    );
  }
  return key;
}

/** A separate 32-byte key per purpose, so no two uses of the secret key share key material. */
export function deriveKey(secretKey: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), `faultline:${purpose}`, 32));
}
