/** Platforms whose frames follow JavaScript conventions (Sentry's "javascript" behavior family). */
const JAVASCRIPT_PLATFORMS = new Set(['javascript', 'node']);

/** Platforms whose frames name a native function rather than a file (culprit is the function). */
const NATIVE_PLATFORMS = new Set(['native', 'c', 'cocoa', 'objc', 'swift']);

/** Platforms whose source context we trust enough to group by `context_line`. */
const CONTEXT_LINE_PLATFORMS = new Set(['javascript', 'node', 'python', 'php', 'ruby']);

export function isJavaScriptPlatform(platform: string | undefined): boolean {
  return platform !== undefined && JAVASCRIPT_PLATFORMS.has(platform);
}

export function isNativePlatform(platform: string | undefined): boolean {
  return platform !== undefined && NATIVE_PLATFORMS.has(platform);
}

export function usesContextLine(platform: string | undefined): boolean {
  return platform !== undefined && CONTEXT_LINE_PLATFORMS.has(platform);
}
