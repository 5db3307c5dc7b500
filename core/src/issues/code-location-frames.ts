/**
 * Which code an issue points at: the in-app frames of an event's thrown exception, innermost first,
 * and the exception chain. Pure, so editors' needs (the line that threw, the frames around it) are
 * decided here once and table-tested, not in SQL.
 */

/** One in-app frame, as much of it as an editor needs to find the line. */
export interface CodeFrame {
  filename: string | null;
  absPath: string | null;
  module: string | null;
  function: string | null;
  lineNo: number;
  colNo: number | null;
  contextLine: string | null;
}

export interface ExceptionSummary {
  type: string | null;
  value: string | null;
}

export interface CodeLocationOfEvent {
  /** In-app frames of the thrown (last) exception, innermost (the line that threw) first. */
  frames: CodeFrame[];
  /** The exception chain, the thrown exception first. */
  exceptions: ExceptionSummary[];
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const positive = (value: unknown): number | null =>
  typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null;
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A frame an editor can place: in app, with a line and some path. Anything else is skipped. */
function codeFrame(raw: unknown): CodeFrame | null {
  if (!isObject(raw) || raw.in_app !== true) return null;
  const lineNo = positive(raw.lineno);
  const filename = text(raw.filename);
  const absPath = text(raw.abs_path);
  if (lineNo === null || (filename === null && absPath === null)) return null;
  return {
    filename,
    absPath,
    module: text(raw.module),
    function: text(raw.function),
    lineNo,
    colNo: positive(raw.colno),
    contextLine: typeof raw.context_line === 'string' ? raw.context_line : null,
  };
}

/** Reads the stored event's `exception` (`{ values }`, oldest first, the thrown one last). */
export function codeLocationOfEvent(exception: unknown): CodeLocationOfEvent {
  const values = isObject(exception) && Array.isArray(exception.values) ? exception.values : [];
  const chain = values.filter(isObject).reverse();
  const thrown = chain[0];
  const stack = isObject(thrown?.stacktrace) ? thrown.stacktrace : undefined;
  const rawFrames = Array.isArray(stack?.frames) ? stack.frames : [];
  const frames = rawFrames
    .map(codeFrame)
    .filter((f): f is CodeFrame => f !== null)
    .reverse();
  return {
    frames,
    exceptions: chain.map((value) => ({ type: text(value.type), value: text(value.value) })),
  };
}
