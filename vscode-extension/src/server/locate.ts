import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { components } from '@faultline/api-client';
import type { PathMapping } from '../shared/protocol';
import { placeLine } from './drift';
import { SourceMaps } from './source-maps';
import { splitPath, type WorkspaceFiles } from './workspace-files';

export type CodeFrame = components['schemas']['CodeFrame'];

/** A frame placed on a line of a workspace file. */
export interface LocalFrame {
  frame: CodeFrame;
  file: string;
  /** Zero-based. */
  line: number;
  /** Zero-based start column of the range to mark. */
  startColumn: number;
  endColumn: number;
  changedSince: boolean;
}

/**
 * Turns production frames into workspace positions: configured mappings first (Sentry's code
 * mappings: stack root → folder), else the longest path-suffix match; frames of bundled files go
 * through their source maps; the line is re-found when the code moved (drift).
 */
export class FrameLocator {
  private readonly sourceMaps = new SourceMaps();

  constructor(
    private readonly files: WorkspaceFiles,
    private readonly mappings: PathMapping[],
    /** Today's text of a file: the open editor's, else the disk's. */
    private readonly readLines: (file: string) => string[] | undefined = readFromDisk,
  ) {}

  locate(frame: CodeFrame): LocalFrame | undefined {
    const file = this.localFile(frame);
    if (!file) return undefined;
    const original = this.sourceMaps.original(file, frame.lineNo, frame.colNo);
    if (original) {
      // The reported context line is the bundle's, not the source's: no drift check to make.
      const lines = this.readLines(original.file);
      if (!lines) return undefined;
      return this.mark(frame, original.file, lines, original.line - 1, false);
    }
    const lines = this.readLines(file);
    if (!lines) return undefined;
    const placed = placeLine(lines, frame.lineNo, frame.contextLine);
    return this.mark(frame, file, lines, placed.line, placed.changedSince);
  }

  private mark(
    frame: CodeFrame,
    file: string,
    lines: string[],
    line: number,
    changedSince: boolean,
  ): LocalFrame {
    const text = lines[line] ?? '';
    const indent = text.length - text.trimStart().length;
    const end = text.trimEnd().length;
    return {
      frame,
      file,
      line,
      startColumn: Math.min(indent, end),
      endColumn: Math.max(end, indent + 1),
      changedSince,
    };
  }

  private localFile(frame: CodeFrame): string | undefined {
    const reported = [frame.absPath, frame.filename].filter((p): p is string => p !== null);
    for (const candidate of reported) {
      for (const mapping of this.mappings) {
        const rest = stripRoot(candidate, mapping.stackRoot);
        if (rest === undefined) continue;
        const folder = path.isAbsolute(mapping.folder)
          ? mapping.folder
          : path.join(this.files.roots[0] ?? '', mapping.folder);
        const file = path.join(folder, ...splitPath(rest));
        if (this.files.has(file)) return file;
      }
    }
    for (const candidate of reported) {
      const file = this.files.longestSuffixMatch(candidate);
      if (file) return file;
    }
    return undefined;
  }
}

/** The rest of `reported` below `root`, compared segment by segment; undefined when not below it. */
function stripRoot(reported: string, root: string): string | undefined {
  const segments = splitPath(reported);
  const rootSegments = splitPath(root);
  if (rootSegments.some((s, i) => segments[i] !== s)) return undefined;
  return segments.slice(rootSegments.length).join('/');
}

function readFromDisk(file: string): string[] | undefined {
  try {
    return readFileSync(file, 'utf8').split(/\r?\n/);
  } catch {
    return undefined;
  }
}
