import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';

export interface OriginalPosition {
  file: string;
  /** One-based, as frames give it. */
  line: number;
  column: number | null;
}

const SCRIPT = /\.(?:c|m)?js$/;
const MAPPING_URL = /\/\/[#@]\s*sourceMappingURL=(\S+)\s*$/m;

/**
 * Maps positions in bundled or minified JavaScript of the workspace's build output to the original
 * sources, through the source map the file names (or `<file>.map` beside it). Maps are read once.
 */
export class SourceMaps {
  private readonly maps = new Map<string, { map: TraceMap; mapFile: string } | null>();

  original(file: string, line: number, column: number | null): OriginalPosition | undefined {
    if (!SCRIPT.test(file)) return undefined;
    const loaded = this.load(file);
    if (!loaded) return undefined;
    // Frames count columns from 1, source maps from 0.
    const position = originalPositionFor(loaded.map, { line, column: Math.max(0, (column ?? 1) - 1) });
    if (position.source === null || position.line === null) return undefined;
    const source = position.source.startsWith('file://')
      ? new URL(position.source).pathname
      : path.resolve(path.dirname(loaded.mapFile), position.source);
    return {
      file: source,
      line: position.line,
      column: position.column === null ? null : position.column + 1,
    };
  }

  private load(file: string): { map: TraceMap; mapFile: string } | null {
    const cached = this.maps.get(file);
    if (cached !== undefined) return cached;
    let loaded: { map: TraceMap; mapFile: string } | null = null;
    try {
      const named = MAPPING_URL.exec(readFileSync(file, 'utf8'))?.[1];
      const mapFile =
        named && !named.startsWith('data:') ? path.resolve(path.dirname(file), named) : `${file}.map`;
      if (existsSync(mapFile)) loaded = { map: new TraceMap(readFileSync(mapFile, 'utf8')), mapFile };
    } catch {
      loaded = null; // An unreadable or malformed map: the frame stays on the bundle.
    }
    this.maps.set(file, loaded);
    return loaded;
  }
}
