/** How far from the reported line the same code is looked for when the file changed since. */
export const DRIFT_WINDOW = 30;

export interface PlacedLine {
  /** Zero-based. */
  line: number;
  /** The reported line's code is not in the file any more (near the line): say so. */
  changedSince: boolean;
}

/**
 * Where the frame's line is in today's file: the reported line when its code is still there,
 * else the nearest line within `DRIFT_WINDOW` holding the frame's `context_line`, else the reported
 * line, flagged as changed. Whitespace at either end is ignored (reformatting is no change).
 */
export function placeLine(lines: string[], lineNo: number, contextLine: string | null): PlacedLine {
  const reported = Math.min(Math.max(lineNo - 1, 0), Math.max(lines.length - 1, 0));
  if (contextLine === null || contextLine.trim() === '') return { line: reported, changedSince: false };
  const wanted = contextLine.trim();
  if (lines[lineNo - 1]?.trim() === wanted) return { line: lineNo - 1, changedSince: false };
  for (let distance = 1; distance <= DRIFT_WINDOW; distance++) {
    for (const candidate of [lineNo - 1 - distance, lineNo - 1 + distance]) {
      if (lines[candidate]?.trim() === wanted) return { line: candidate, changedSince: false };
    }
  }
  return { line: reported, changedSince: true };
}
