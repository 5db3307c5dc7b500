import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** One JSON line per log event on stderr; quiet (info and up) by default. */
export function createLogger(level: string, destination: NodeJS.WritableStream = process.stderr): Logger {
  return pino({ level, base: { service: 'faultline' } }, destination as pino.DestinationStream);
}
