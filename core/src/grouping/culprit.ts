import type { NormalizedEvent, StackFrame } from '../events/types';
import { crashFrame, isSynthetic } from './event-stacks';
import { cleanFunctionName } from './function-name';
import { isJavaScriptPlatform, isNativePlatform } from './platform';

/** Sentry's `MAX_CULPRIT_LENGTH`. */
const MAX_CULPRIT_LENGTH = 200;

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Sentry's `generate_module` for URL frames (which browser SDKs send without a module): the URL
 * path without origin, extension, `.min`, build hashes and folders like `static/js/`, so
 * `http://host/static/js/app.3f2a9c1.min.js` reads `app`.
 */
export function moduleFromUrl(url: string): string {
  const path = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '').replace(/[?#].*$/s, '');
  const withoutExtension = path.replace(/\.[^./]*$/, '').replace(/\.min$/, '');
  const cleaned = withoutExtension
    .replace(
      /^(?:\/|(?:(?:java)?scripts?|js|build|static|node_modules|bower_components|[_.~][^/]*|v?(?:\d+\.)*\d+|[a-f0-9]{7,8}|[a-f0-9]{32}|[a-f0-9]{40})\/)+/i,
      '',
    )
    .replace(/[-.][a-f0-9]{7,}$/i, '');
  return cleaned || '?';
}

/**
 * Sentry's `Frame.get_culprit_string`: `function(module)` for JavaScript and Node, `module in function`
 * elsewhere, the bare function for native code. The Node SDK sends a short `module` (`inventory`
 * for app/inventory.js, `app:inventory` when the file sits below the entry script's directory), which
 * reads better than the absolute filename; browser frames get a module made from their URL.
 */
export function frameCulprit(frame: StackFrame, eventPlatform: string): string {
  const platform = frame.platform ?? eventPlatform;
  const func = cleanFunctionName(frame.function, platform) ?? '?';
  if (isNativePlatform(platform)) return func;
  const filename = frame.filename ?? frame.abs_path;
  const location =
    frame.module ||
    (filename && /^[a-z][a-z0-9+.-]*:\/\//i.test(filename) ? moduleFromUrl(filename) : filename);
  if (!location) return '';
  return isJavaScriptPlatform(platform) ? `${func}(${location})` : `${location} in ${func}`;
}

/**
 * The culprit: the SDK's `culprit`, else the transaction, else the crashing frame, else the
 * request URL. Like Sentry, a message whose only exception is synthetic gets no frame culprit: that
 * stack points at the logging call, not at a fault.
 */
export function deriveCulprit(event: NormalizedEvent): string {
  const explicit = event.culprit || event.transaction;
  if (explicit) return truncate(explicit, MAX_CULPRIT_LENGTH);
  const exceptions = event.exception?.values ?? [];
  const onlySynthetic = exceptions.length > 0 && exceptions.every(isSynthetic);
  const frame = onlySynthetic ? undefined : crashFrame(event);
  const culprit = (frame && frameCulprit(frame, event.platform)) || (onlySynthetic ? '' : event.request?.url);
  return truncate(culprit ?? '', MAX_CULPRIT_LENGTH);
}
