import fs from 'node:fs';
import path from 'node:path';

/** Where the monorepo keeps its built-in plugins: from core/src/plugins or core/dist/plugins alike. */
export const EXTENSIONS_DIR = path.resolve(__dirname, '..', '..', '..', 'extensions');

/**
 * The built-in plugins: packages under `extensions/` whose package.json says
 * `"faultline": { "builtin": true }`, as absolute folder paths (the host loads their `main`). None
 * when the folder isn't there (core installed on its own).
 */
export function discoverBuiltins(dir = EXTENSIONS_DIR): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const folder = path.join(dir, entry.name);
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(folder, 'package.json'), 'utf8')) as {
        faultline?: { builtin?: unknown };
      };
      if (pkg.faultline?.builtin === true) found.push(folder);
    } catch {
      // Not a package: not a plugin.
    }
  }
  return found;
}
