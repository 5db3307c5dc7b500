import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors';

/**
 * Embedded Postgres (PGlite) must be opened by one process only: a second one would corrupt it.
 * A pid file in the data directory says who holds it; a holder that no longer runs (kill -9) is
 * taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'faultline.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => {
        try {
          if (fs.readFileSync(file, 'utf8') === String(process.pid)) fs.unlinkSync(file);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(fs.readFileSync(file, 'utf8'));
      if (holder && holder !== process.pid && isRunning(holder)) {
        throw new ConfigError(
          `DATA_DIR ${dataDir} is in use by process ${holder}; embedded Postgres allows one process. Stop it, or set DATABASE_URL to share a Postgres server.`,
        );
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new ConfigError(`Could not lock DATA_DIR ${dataDir}`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
