import { LEVELS, type Level } from '../types';

// Spellings SDKs and logging libraries use for the same levels.
const ALIASES: ReadonlyMap<string, Level> = new Map<string, Level>([
  ['warn', 'warning'],
  ['critical', 'fatal'],
  ['log', 'info'],
]);

function isLevel(text: string): text is Level {
  return (LEVELS as readonly string[]).includes(text);
}

/** The canonical level for a wire value, or `undefined` when it names none. */
export function parseLevel(value: unknown): Level | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim().toLowerCase();
  return isLevel(text) ? text : ALIASES.get(text);
}
