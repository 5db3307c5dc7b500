import { isJavaScriptPlatform } from './platform';

/** Names runtimes give to functions that have none; they say nothing about the code. */
const UNKNOWN_FUNCTIONS = new Set([
  '?',
  'anonymous',
  '<anonymous>',
  'anonymous function',
  '<anonymous function>',
  '<unknown>',
  '<redacted>',
]);

/**
 * The function name as it should count for grouping and read in a culprit, or `undefined` when the
 * frame's function is unknown. JavaScript names lose what differs between engines, call styles and
 * Node versions: V8's `[as alias]` suffix, `async `/`new ` prefixes and the `Object.`/`Module.`/
 * `Function.` receivers of plain functions (`Object.foo` → `foo`, `Object.<anonymous>` → unknown).
 * Real receivers such as `HTMLButtonElement.n` or `Immediate.handleCheckoutJob` are kept.
 */
export function cleanFunctionName(raw: string | undefined, platform: string | undefined): string | undefined {
  if (!raw) return undefined;
  let name = raw.trim();
  if (isJavaScriptPlatform(platform)) name = cleanJavaScriptName(name);
  else if (platform === 'ruby') name = cleanRubyName(name);
  else if (platform === 'php' && /^(?:\[Anonymous|class@anonymous)/.test(name)) return undefined;
  else if (platform === 'java' && name.startsWith('lambda$')) return undefined;
  if (name === '' || UNKNOWN_FUNCTIONS.has(name.toLowerCase())) return undefined;
  return name;
}

function cleanJavaScriptName(name: string): string {
  let cleaned = name.replace(/\s*\[as [^\]]*\]$/, '');
  let previous: string;
  do {
    previous = cleaned;
    cleaned = cleaned.replace(/^(?:async|new)\s+/, '').replace(/^(?:Object|Module|Function)\./, '');
  } while (cleaned !== previous);
  // Firefox names anonymous closures after their parent: `outer/<`, `outer/<.inner/<`.
  return cleaned.endsWith('/<') ? '' : cleaned;
}

function cleanRubyName(name: string): string {
  // `block in foo` / `block (2 levels) in foo` depend on nesting depth; erb templates get
  // generated numeric suffixes.
  if (name.startsWith('block ')) return 'block';
  return name.replace(/__\d{4,}_\d{4,}$/, '');
}
