import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The change stream's cursor, kept in a file so a restarted app resumes where it stopped and
 * brings the cards up to date with what happened while it was down. Written whole to a temporary
 * file and renamed, so a crash leaves the old cursor or the new one, never half of one.
 */
export class CursorFile {
  constructor(private readonly file: string) {}

  async read(): Promise<string | undefined> {
    try {
      const state = JSON.parse(await readFile(this.file, 'utf8')) as { cursor?: unknown };
      return typeof state.cursor === 'string' ? state.cursor : undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async write(cursor: string): Promise<void> {
    await mkdir(path.dirname(path.resolve(this.file)), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify({ cursor }));
    await rename(temporary, this.file);
  }
}
