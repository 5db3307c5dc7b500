import type { StackFrame } from '../events/types';
import { type GroupingComponent, ignore, leaf, node } from './component';
import { cleanFunctionName } from './function-name';
import { isJavaScriptPlatform, usesContextLine } from './platform';

/** Longest context line (after collapsing whitespace) still trusted for grouping. */
const MAX_CONTEXT_LINE = 120;

/** Filenames that stand for engine built-ins or evaluated code rather than a source file. */
const NATIVE_FILENAMES = new Set([
  'native',
  'native code',
  '[native code]',
  '<anonymous>',
  'eval code',
  '<eval>',
]);

const URL_ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i;

/**
 * Replaces build-specific parts of a file name with `<hash>`: content hashes (`app.3f2a9c.js`,
 * `chunk-5f3a9c2e.js`, `3f2a9c1b.js`), timestamps, and Vite/Rollup's 8-character base64url hashes
 * (`index-BxT3q2Lc.js`). Must run before lower-casing, which the Vite check relies on.
 */
export function normalizeVolatileName(name: string): string {
  const hex = name.replace(
    /(^|[.\-_~])([0-9a-f]{6,})(?=[.\-_~]|$)/gi,
    (match, separator: string, segment: string) => (/\d/.test(segment) ? `${separator}<hash>` : match),
  );
  return hex.replace(/-([\w-]{8})(\.[a-z0-9]+)$/i, (match, hash: string, extension: string) =>
    (/[\d_-]/.test(hash) && /[a-z]/i.test(hash)) || /[a-z][A-Z]/.test(hash) ? `-<hash>${extension}` : match,
  );
}

/** The lower-cased base name of a path or URL, without query, fragment or build hashes. */
export function groupingFilename(path: string | undefined): string | undefined {
  if (!path) return undefined;
  const withoutQuery = path.replace(URL_ORIGIN, '').replace(/[?#].*$/s, '');
  const base = withoutQuery.split(/[/\\]/).pop();
  return base ? normalizeVolatileName(base).toLowerCase() : undefined;
}

export function isUrl(path: string | undefined): boolean {
  return path !== undefined && /^(?:https?|wss?|ftp):\/\//i.test(path);
}

/** Engine internals, native code and eval'd code: unstable across runtimes, never the user's code. */
export function isLowQualityFrame(frame: StackFrame, platform: string | undefined): boolean {
  for (const path of [frame.filename, frame.abs_path]) {
    if (!path) continue;
    if (NATIVE_FILENAMES.has(path.toLowerCase())) return true;
    if (isJavaScriptPlatform(platform) && /^(?:node:|internal\/)/.test(path)) return true;
  }
  return isJavaScriptPlatform(platform) && frame.function === 'eval';
}

function moduleComponent(frame: StackFrame, platform: string | undefined): GroupingComponent {
  const javascript = isJavaScriptPlatform(platform);
  const module = frame.module && javascript ? normalizeVolatileName(frame.module) : frame.module;
  const component = leaf('module', module);
  // Some JS tooling puts the file's path into `module`; that path is no more stable than abs_path.
  if (javascript && module?.includes('/') && frame.abs_path?.endsWith(module)) {
    ignore(component, 'ignored bad javascript module');
  }
  return component;
}

function contextLineComponent(
  frame: StackFrame,
  platform: string | undefined,
  hasFunction: boolean,
): GroupingComponent {
  const line = (frame.context_line ?? '').split(/\s+/).filter(Boolean).join(' ');
  const component = leaf('context-line', line || undefined);
  if (line.length > MAX_CONTEXT_LINE) ignore(component, 'discarded because line too long');
  else if (isJavaScriptPlatform(platform) && !hasFunction && isUrl(frame.abs_path ?? frame.filename)) {
    ignore(component, 'discarded because from URL origin and no function');
  }
  return component;
}

/**
 * One frame's grouping component: module (else file base name), cleaned function and, where the
 * platform's source context is trustworthy, the context line. Line and column numbers never count.
 */
export function frameComponent(frame: StackFrame, eventPlatform: string): GroupingComponent {
  const platform = frame.platform ?? eventPlatform;
  const module = moduleComponent(frame, platform);
  const filename = leaf('filename', groupingFilename(frame.filename ?? frame.abs_path));
  if (module.contributes) ignore(filename, 'module takes precedence');
  const func = leaf('function', cleanFunctionName(frame.function, platform));
  if (!func.contributes && frame.function) func.hint = 'ignored unknown function name';
  const children = [module, filename, func];
  if (usesContextLine(platform)) children.push(contextLineComponent(frame, platform, func.contributes));
  const component = node('frame', children);
  if (isLowQualityFrame(frame, platform)) ignore(component, 'ignored native, internal or eval frame');
  return component;
}

const RECURSION_FIELDS = ['abs_path', 'module', 'filename', 'function', 'lineno', 'colno'] as const;

/** Consecutive identical frames are a recursion whose depth must not change the hash. */
export function isRecursion(frame: StackFrame, previous: StackFrame | undefined): boolean {
  return previous !== undefined && RECURSION_FIELDS.every((field) => frame[field] === previous[field]);
}
