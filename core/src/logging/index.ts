import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** Field names that hold secrets; their values are replaced wherever they appear (up to 3 levels deep). */
const SECRET_FIELDS = [
  'password',
  'newPassword',
  'currentPassword',
  'token',
  'secret',
  'authorization',
  'cookie',
  'set-cookie',
];

export const REDACTED_PATHS = SECRET_FIELDS.map((field) => `["${field}"]`).flatMap((key) => [
  key,
  `*${key}`,
  `*.*${key}`,
]);

/** One JSON line per log event on stderr; quiet (info and up) by default; secrets redacted. */
export function createLogger(level: string, destination: NodeJS.WritableStream = process.stderr): Logger {
  return pino(
    { level, base: { service: 'faultline' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    destination as pino.DestinationStream,
  );
}
