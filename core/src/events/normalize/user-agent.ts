import { LRUCache } from 'lru-cache';
import { UAParser } from 'ua-parser-js';
import type { NormalizedEvent } from '../types';
import type { Contexts } from './contexts';

/**
 * Browser SDKs (`@sentry/browser`) send no `browser`, `os` or `device` context: only the page's
 * `User-Agent` request header. As Sentry's Relay does, the contexts the SDK left out are read from
 * that header; a context the SDK sent is never overwritten.
 */
const UA_CONTEXTS = ['browser', 'os', 'device'] as const;

/**
 * Parsing a User-Agent is a few dozen regular expressions; a project's events come from a handful of
 * browsers, so the answer is kept per UA string. Bounded, as the strings come from clients.
 */
const parsed = new LRUCache<string, Partial<Contexts>>({ max: 2_000 });

/** The longest header parsed; anything longer is no browser's and not worth the regular expressions. */
const MAX_USER_AGENT_CHARS = 512;

function defined(fields: Record<string, unknown>): Record<string, unknown> | undefined {
  const kept = Object.entries(fields).filter(([, v]) => typeof v === 'string' && v !== '');
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

/** The `browser`, `os` and `device` contexts a User-Agent header names (only those it names). */
export function contextsFromUserAgent(userAgent: string): Partial<Contexts> {
  const cached = parsed.get(userAgent);
  if (cached) return cached;
  const ua = new UAParser(userAgent).getResult();
  const contexts: Partial<Contexts> = {};
  const browser = defined({ name: ua.browser.name, version: ua.browser.version });
  if (browser?.name) contexts.browser = { ...browser, type: 'browser' };
  const os = defined({ name: ua.os.name, version: ua.os.version });
  if (os?.name) contexts.os = { ...os, type: 'os' };
  // Desktop browsers name no device; Relay then sends none either.
  const device = defined({ family: ua.device.model, model: ua.device.model, brand: ua.device.vendor });
  if (device) contexts.device = { ...device, type: 'device' };
  parsed.set(userAgent, contexts);
  return contexts;
}

function userAgentHeader(event: NormalizedEvent): string | undefined {
  const header = event.request?.headers?.find(([name]) => name.toLowerCase() === 'user-agent');
  const value = header?.[1];
  return value && value.length <= MAX_USER_AGENT_CHARS ? value : undefined;
}

/** Adds to `event.contexts` the browser, os and device its User-Agent header names and the SDK didn't send. */
export function fillContextsFromUserAgent(event: NormalizedEvent): void {
  const missing = UA_CONTEXTS.filter((name) => event.contexts?.[name] === undefined);
  if (missing.length === 0) return;
  const userAgent = userAgentHeader(event);
  if (userAgent === undefined) return;
  const found = contextsFromUserAgent(userAgent);
  for (const name of missing) {
    const context = found[name];
    // A copy: the cached answer is shared by every event with this User-Agent.
    if (context) event.contexts = { ...event.contexts, [name]: { ...context } };
  }
}
