import type { StackFrame } from '../events/types';
import { type GroupingComponent, cloneComponent, ignore, leaf, node, refresh } from './component';
import { frameComponent, isRecursion, isUrl } from './frame';
import { isJavaScriptPlatform } from './platform';

/**
 * `app` counts only frames the SDK marked `in_app: true`; `system` counts every frame. Sentry keeps
 * both and prefers `app`, falling back to `system` when no in-app frame contributes.
 */
export type StackVariant = 'app' | 'system';

/**
 * The browser SDK's own wrappers (`sentryWrapped`, the listener wrapper in a Sentry bundle) come
 * marked in-app; counting them would regroup every handler error whenever the SDK is upgraded.
 */
function isSentrySdkFrame(frame: StackFrame, platform: string): boolean {
  if (!isJavaScriptPlatform(frame.platform ?? platform)) return false;
  const path = frame.filename ?? frame.abs_path ?? '';
  const base =
    path
      .replace(/[?#].*$/s, '')
      .split('/')
      .pop() ?? '';
  return frame.function === 'sentryWrapped' || /\bsentry-cdn\.com\//.test(path) || /^sentry[.-]/i.test(base);
}

/**
 * Both variants (app and system) walk the same frames; a frame's component (regexes over its file,
 * module and function) is built once per frame object and copied for each variant, which halves
 * the grouping work of an event. Keyed weakly by the frame, so it lives as long as the event.
 */
const builtFrames = new WeakMap<StackFrame, { platform: string; component: GroupingComponent }>();

function frameComponentOnce(frame: StackFrame, platform: string): GroupingComponent {
  const built = builtFrames.get(frame);
  if (built && built.platform === platform) return cloneComponent(built.component);
  const component = frameComponent(frame, platform);
  builtFrames.set(frame, { platform, component: cloneComponent(component) });
  return component;
}

export function stacktraceComponent(
  frames: readonly StackFrame[] | undefined,
  platform: string,
  variant: StackVariant,
): GroupingComponent {
  if (!frames || frames.length === 0) return leaf('stacktrace', undefined);
  const children = frames.map((frame, index) => {
    const component = frameComponentOnce(frame, platform);
    if (isRecursion(frame, frames[index - 1])) ignore(component, 'ignored due to recursion');
    if (variant === 'app' && frame.in_app !== true) ignore(component, 'non app frame');
    if (variant === 'app' && isSentrySdkFrame(frame, platform)) ignore(component, 'Sentry SDK frame');
    return component;
  });
  // A lone JavaScript frame with only a URL is usually a browser extension or an inline script
  // whose location tells nothing about the error.
  const only = frames.length === 1 ? frames[0] : undefined;
  if (
    only &&
    isJavaScriptPlatform(only.platform ?? platform) &&
    !only.function &&
    isUrl(only.abs_path ?? only.filename)
  ) {
    ignore(children[0], 'ignored single frame with only a URL');
  }
  return refresh(node('stacktrace', children));
}
