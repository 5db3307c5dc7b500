/**
 * Where Sentry SDKs put the project's public key: the `sentry_key` query parameter (every JS SDK),
 * the `X-Sentry-Auth` header (sentry-python and others), `Authorization: Sentry …`, and the `dsn`
 * field of the envelope header. All are accepted; disagreeing carriers are rejected.
 */
import { AuthError, BadRequestError } from '../errors';

export interface AuthInput {
  query: Record<string, string | string[] | undefined>;
  /** The X-Sentry-Auth header. */
  authHeader?: string;
  /** The Authorization header; only the `Sentry …` scheme is read, others are ignored. */
  authorizationHeader?: string;
  /** The envelope header's `dsn` field. */
  envelopeDsn?: string;
  /** The project id from the URL; when given, the envelope DSN's project must match it. */
  projectId?: number;
}

export interface SentryAuth {
  publicKey: string;
  sentryClient?: string;
  sentryVersion?: string;
}

export interface Dsn {
  protocol: 'http' | 'https';
  publicKey: string;
  /** Deprecated by Sentry; parsed but never required. */
  secretKey?: string;
  /** Host name without port (IPv6 in brackets, as URLs write it). */
  host: string;
  port?: number;
  /** Path prefix before the project id, '' or e.g. '/sentry'. */
  path: string;
  projectId: number;
}

/** Project ids live in an `integer` column. */
const MAX_PROJECT_ID = 2_147_483_647;

export function extractAuth(input: AuthInput): SentryAuth {
  const found: { carrier: string; key: string }[] = [];
  let sentryClient: string | undefined;
  let sentryVersion: string | undefined;

  for (const [carrier, header] of [
    ['X-Sentry-Auth header', input.authHeader],
    ['Authorization header', sentryScheme(input.authorizationHeader)],
  ] as const) {
    if (header === undefined) continue;
    const fields = parseAuthHeader(header);
    if (fields.key) found.push({ carrier, key: fields.key });
    sentryClient ??= fields.client || undefined;
    sentryVersion ??= fields.version || undefined;
  }

  const queryKey = queryValue(input.query, 'sentry_key');
  if (queryKey) found.push({ carrier: 'sentry_key query parameter', key: queryKey });
  sentryClient ??= queryValue(input.query, 'sentry_client') || undefined;
  sentryVersion ??= queryValue(input.query, 'sentry_version') || undefined;

  if (input.envelopeDsn !== undefined && input.envelopeDsn !== '') {
    const dsn = parseDsn(input.envelopeDsn);
    if (input.projectId !== undefined) assertProjectMatches(dsn.projectId, input.projectId);
    found.push({ carrier: 'envelope header dsn', key: dsn.publicKey });
  }

  if (found.length === 0) {
    throw new AuthError(
      'No Sentry key in the request. Send it as the sentry_key query parameter ' +
        '(?sentry_version=7&sentry_key=<public key>), in an X-Sentry-Auth header ' +
        '(Sentry sentry_version=7, sentry_key=<public key>), or as the dsn field of the envelope header.',
      'missing_key',
    );
  }
  const first = found[0];
  // Keys are looked up in the database, which can't take NUL; no key has control or non-ASCII
  // characters, so such a "key" is refused here with a sentence instead of failing the lookup.
  if (!/^[\x21-\x7e]+$/.test(first.key)) {
    throw new BadRequestError(
      `The Sentry key in the ${first.carrier} contains characters no key has (control, NUL, space or non-ASCII); check the DSN.`,
      'invalid_key',
    );
  }
  const other = found.find((f) => f.key !== first.key);
  if (other) {
    throw new BadRequestError(
      `The ${first.carrier} and the ${other.carrier} carry different Sentry keys; send one key per request.`,
      'conflicting_keys',
    );
  }
  return { publicKey: first.key, sentryClient, sentryVersion };
}

/**
 * Parses `Sentry sentry_key=abc, sentry_version=7, sentry_client=x/1.0` into
 * `{ key: 'abc', version: '7', client: 'x/1.0' }` (the `Sentry ` scheme and `sentry_` prefixes are
 * optional; quoted values are unquoted; later duplicates lose).
 */
export function parseAuthHeader(value: string): Record<string, string> {
  let rest = value.trim();
  if (/^sentry\s/i.test(rest)) rest = rest.slice(7);
  const fields: Record<string, string> = {};
  for (const part of rest.split(',')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part
      .slice(0, eq)
      .trim()
      .toLowerCase()
      .replace(/^sentry_/, '');
    let val = part.slice(eq + 1).trim();
    if (val.length >= 2 && val.startsWith('"') && val.endsWith('"')) val = val.slice(1, -1);
    if (name && !(name in fields)) fields[name] = val;
  }
  return fields;
}

/** Parses `{proto}://{public_key}[:{secret}]@{host}[:port][/path]/{project_id}`. */
export function parseDsn(dsn: string): Dsn {
  const invalid = (why: string): BadRequestError =>
    new BadRequestError(
      `DSN "${dsn.slice(0, 200)}" is not valid: ${why}; expected https://<public key>@<host>/<project id>`,
      'invalid_dsn',
    );
  let url: URL;
  try {
    url = new URL(dsn);
  } catch {
    throw invalid('not a URL');
  }
  const protocol = url.protocol.slice(0, -1);
  if (protocol !== 'http' && protocol !== 'https') throw invalid(`unsupported protocol "${protocol}"`);
  if (url.username === '') throw invalid('no public key before "@"');
  if (url.hostname === '') throw invalid('no host');
  const segments = url.pathname.replace(/\/$/, '').split('/');
  const rawProjectId = segments.pop() ?? '';
  if (rawProjectId === '') throw invalid('no project id at the end of the path');
  let projectId: number;
  try {
    projectId = parseProjectId(rawProjectId);
  } catch {
    throw invalid(`project id "${rawProjectId.slice(0, 40)}" is not a positive integer`);
  }
  const decode = (text: string, what: string): string => {
    try {
      return decodeURIComponent(text);
    } catch {
      throw invalid(`the ${what} is not percent-encoded UTF-8`);
    }
  };
  const secretKey = url.password === '' ? undefined : decode(url.password, 'secret key');
  return {
    protocol,
    publicKey: decode(url.username, 'public key'),
    ...(secretKey === undefined ? {} : { secretKey }),
    host: url.hostname,
    ...(url.port === '' ? {} : { port: Number(url.port) }),
    path: segments.join('/'),
    projectId,
  };
}

/** Parses the `{project_id}` of `/api/{project_id}/envelope/`: digits only, 1 … 2^31-1. */
export function parseProjectId(raw: string): number {
  const value = /^[0-9]{1,10}$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= 1 && value <= MAX_PROJECT_ID)) {
    throw new BadRequestError(
      `project id "${raw.slice(0, 40)}" is not valid: it must be a whole number from 1 to ${MAX_PROJECT_ID}`,
      'invalid_project_id',
    );
  }
  return value;
}

/** The envelope's DSN must name the project the request was sent to. */
export function assertProjectMatches(dsnProjectId: number, urlProjectId: number): void {
  if (dsnProjectId !== urlProjectId) {
    throw new BadRequestError(
      `The envelope's dsn names project ${dsnProjectId} but the request was sent to project ${urlProjectId}.`,
      'project_mismatch',
    );
  }
}

function sentryScheme(authorization: string | undefined): string | undefined {
  return authorization !== undefined && /^\s*sentry\s/i.test(authorization) ? authorization : undefined;
}

/** One query parameter, first value wins, except that a repeated sentry_key must repeat the same key. */
function queryValue(query: AuthInput['query'], name: string): string | undefined {
  const raw = query[name];
  const values = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw])
    .map((v) => v.trim())
    .filter(Boolean);
  if (name === 'sentry_key' && new Set(values).size > 1) {
    throw new BadRequestError(`The query string repeats ${name} with different values.`, 'conflicting_keys');
  }
  return values[0];
}
