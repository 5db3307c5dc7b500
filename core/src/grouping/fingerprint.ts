import type { NormalizedEvent } from '../events/types';
import { crashFrame } from './event-stacks';
import { cleanFunctionName } from './function-name';
import { displayMessageText } from './message-text';

export type FingerprintEntry = { kind: 'default' } | { kind: 'value'; value: string };

/**
 * How an SDK fingerprint changes grouping: not at all (absent, empty or only `{{ default }}`),
 * `extend` the default hashes with extra values, or `replace` them.
 */
export type FingerprintPlan =
  | { mode: 'default' }
  | { mode: 'extend'; entries: FingerprintEntry[] }
  | { mode: 'replace'; values: string[] };

/** `{{ name }}` (any inner spacing) as a whole entry; anything else is literal text. */
const VARIABLE = /^\{\{\s*([^{}\s]+)\s*\}\}$/;

export function fingerprintVariable(entry: string): string | undefined {
  return VARIABLE.exec(entry.trim())?.[1].toLowerCase();
}

export function planFingerprint(event: NormalizedEvent): FingerprintPlan {
  const fingerprint = event.fingerprint ?? [];
  const entries = fingerprint.map((entry): FingerprintEntry => {
    const variable = fingerprintVariable(entry);
    if (variable === 'default') return { kind: 'default' };
    return { kind: 'value', value: variable === undefined ? entry : resolveVariable(variable, entry, event) };
  });
  const values = entries.flatMap((entry) => (entry.kind === 'value' ? [entry.value] : []));
  if (values.length === 0) return { mode: 'default' };
  if (values.length < entries.length) return { mode: 'extend', entries };
  return { mode: 'replace', values };
}

/** Sentry's fingerprint variables; an unknown variable is kept as literal text. */
function resolveVariable(variable: string, entry: string, event: NormalizedEvent): string {
  const thrown = event.exception?.values.at(-1);
  switch (variable) {
    case 'transaction':
      return event.transaction || '<no-transaction>';
    case 'message':
      return displayMessageText(event) || thrown?.value || '<no-message>';
    case 'type':
    case 'error.type':
      return thrown?.type || '<no-type>';
    case 'value':
    case 'error.value':
      return thrown?.value || '<no-value>';
    case 'function':
    case 'stack.function': {
      const frame = crashFrame(event);
      return cleanFunctionName(frame?.function, frame?.platform ?? event.platform) || '<no-function>';
    }
    case 'module':
    case 'stack.module':
      return crashFrame(event)?.module || '<no-module>';
    case 'path':
    case 'stack.abs_path': {
      const frame = crashFrame(event);
      return frame?.abs_path || frame?.filename || '<no-abs-path>';
    }
    case 'stack.filename': {
      const frame = crashFrame(event);
      return frame?.filename || frame?.abs_path || '<no-filename>';
    }
    case 'level':
      return event.level || '<no-level>';
    case 'logger':
      return event.logger || '<no-logger>';
    default:
      if (variable.startsWith('tags.')) {
        const key = variable.slice('tags.'.length);
        return event.tags.find(([tag]) => tag.toLowerCase() === key)?.[1] ?? `<no-value-for-tag-${key}>`;
      }
      return entry;
  }
}
