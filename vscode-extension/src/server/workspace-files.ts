import { readdirSync } from 'node:fs';
import path from 'node:path';

/** Folders never searched for source files: dependencies and VCS data. */
const SKIPPED = new Set(['node_modules', '.git', '.hg', '.svn']);

/**
 * The files of the workspace folders, indexed by base name, so a production path is matched to a
 * local file by its longest common suffix without touching the disk per frame.
 */
export class WorkspaceFiles {
  private readonly byBaseName = new Map<string, string[]>();
  private readonly all = new Set<string>();

  constructor(readonly roots: string[]) {
    for (const root of roots) this.walk(root);
  }

  has(file: string): boolean {
    return this.all.has(path.resolve(file));
  }

  get size(): number {
    return this.all.size;
  }

  /**
   * The workspace file whose path ends with the most of `reported`'s segments (at least its base
   * name); ties go to the first workspace folder, then the shorter path.
   */
  longestSuffixMatch(reported: string): string | undefined {
    const segments = splitPath(reported);
    const candidates = this.byBaseName.get(segments[segments.length - 1] ?? '') ?? [];
    let best: { file: string; score: number } | undefined;
    for (const file of candidates) {
      const local = splitPath(file);
      let score = 0;
      while (
        score < segments.length &&
        score < local.length &&
        segments[segments.length - 1 - score] === local[local.length - 1 - score]
      )
        score++;
      if (!best || score > best.score) best = { file, score };
    }
    return best?.file;
  }

  private walk(folder: string): void {
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return; // A folder that vanished or can't be read holds nothing to map to.
    }
    for (const entry of entries) {
      if (entry.isDirectory()) {
        if (!SKIPPED.has(entry.name)) this.walk(path.join(folder, entry.name));
      } else if (entry.isFile()) {
        const file = path.join(folder, entry.name);
        this.all.add(file);
        const list = this.byBaseName.get(entry.name) ?? [];
        list.push(file);
        this.byBaseName.set(entry.name, list);
      }
    }
  }
}

/** Path segments of a reported path or URL (`app:///src/a.js`, `webpack://x/./src/a.js`, `C:\\a\\b.js`). */
export function splitPath(reported: string): string[] {
  const withoutScheme = reported.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
  return withoutScheme.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
}
