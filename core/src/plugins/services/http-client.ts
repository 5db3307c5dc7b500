import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import {
  PluginError,
  type HttpClient,
  type HttpRequestOptions,
  type HttpResponse,
} from '@faultline/plugin-sdk';
import { readLimitedBody } from '../../http';
import { bareAddress, isNonPublicAddress } from './address-policy';

export const DEFAULT_HTTP_TIMEOUT_MS = 10_000;
export const MAX_HTTP_TIMEOUT_MS = 60_000;
/** Plugins call APIs (chat, issue trackers), not download sites: a bigger answer is a mistake. */
export const MAX_RESPONSE_BYTES = 5 * 1024 * 1024;

export interface PluginHttpClientOptions {
  /** Let plugins reach private, loopback and link-local addresses (an installation setting). */
  allowPrivateAddresses: boolean;
  /** The largest response body read (default 5 MB); a larger one fails the request. */
  maxResponseBytes?: number;
}

/**
 * `coreServices.http`: outgoing HTTP for plugins with a whole-request time limit, a response size cap
 * and an SSRF guard. The guard checks the addresses a host name resolves to when the connection is
 * made (so a name can't pass a check and then resolve elsewhere), IP literals before connecting, and
 * the peer address of the socket once connected. Each request gets its own connection: a pooled
 * socket opened by other code could lead anywhere. Redirects are returned, not followed.
 */
export function createPluginHttpClient(options: PluginHttpClientOptions): HttpClient {
  return {
    fetch: (url, request = {}) => send(url, request, options),
  };
}

function refused(host: string, addresses: string[]): PluginError {
  return new PluginError(
    `${host} resolves to a private, loopback or link-local address (${addresses.join(', ')}); ` +
      'plugins may reach only public addresses unless the installation sets PLUGINS_ALLOW_PRIVATE_NETWORKS=true',
    { code: 'destination_refused' },
  );
}

/** A `lookup` for node:net that refuses a host if any address it resolves to is not public. */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    const bad = addresses.filter((a) => isNonPublicAddress(a.address));
    if (bad.length > 0)
      return callback(
        refused(
          hostname,
          bad.map((a) => a.address),
        ) as unknown as NodeJS.ErrnoException,
        '',
        0,
      );
    const family = options.family === 4 || options.family === 6 ? options.family : undefined;
    const usable = family ? addresses.filter((a) => a.family === family) : addresses;
    if (usable.length === 0) {
      const missing: NodeJS.ErrnoException = new Error(`${hostname} has no IPv${family} address`);
      missing.code = 'ENOTFOUND';
      return callback(missing, '', 0);
    }
    if (options.all) (callback as unknown as (e: null, all: LookupAddress[]) => void)(null, usable);
    else callback(null, usable[0].address, usable[0].family);
  });
};

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new PluginError(`Not a URL: ${text}`, { code: 'invalid_url' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new PluginError(`Only http and https URLs can be fetched, not ${url.protocol}`, {
      code: 'invalid_url',
    });
  return url;
}

/** The time limit a request gets: the default when none (or nonsense) is asked, never more than the cap. */
export function effectiveTimeoutMs(requested: number | undefined): number {
  if (requested === undefined || !Number.isFinite(requested) || requested <= 0)
    return DEFAULT_HTTP_TIMEOUT_MS;
  return Math.min(Math.ceil(requested), MAX_HTTP_TIMEOUT_MS);
}

async function send(
  text: string,
  request: HttpRequestOptions,
  options: PluginHttpClientOptions,
): Promise<HttpResponse> {
  const url = parseUrl(text);
  const guarded = !options.allowPrivateAddresses;
  const host = bareAddress(url.hostname);
  if (guarded && isIP(host) !== 0 && isNonPublicAddress(host)) throw refused(url.hostname, [host]);
  const limitMs = effectiveTimeoutMs(request.timeoutMs);
  const maxBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  const headers: Record<string, string> = {
    'user-agent': 'Faultline-Plugin',
    ...lowerCaseKeys(request.headers),
  };
  if (body) headers['content-length'] = String(body.length);

  return new Promise<HttpResponse>((resolve, reject) => {
    const transport = url.protocol === 'https:' ? https : http;
    const outgoing = transport.request(url, {
      method: (request.method ?? 'GET').toUpperCase(),
      headers,
      agent: false,
      ...(guarded ? { lookup: publicOnlyLookup } : {}),
    });
    // Once the time is up, whatever error the torn-down connection raises, the answer is the timeout.
    let expired: PluginError | undefined;
    const timer = setTimeout(() => {
      expired = new PluginError(`${url.origin} did not answer completely within ${limitMs} ms`, {
        code: 'http_timeout',
      });
      outgoing.destroy(expired);
    }, limitMs);
    const fail = (error: unknown) => {
      clearTimeout(timer);
      reject(expired ?? asPluginError(error, url));
    };
    outgoing.on('error', fail);
    if (guarded) {
      // The address actually connected to, whatever resolved it.
      outgoing.on('socket', (socket) =>
        socket.once('connect', () => {
          const peer = socket.remoteAddress;
          if (peer && isNonPublicAddress(peer)) outgoing.destroy(refused(url.hostname, [peer]));
        }),
      );
    }
    outgoing.on('response', (response) => {
      readBody(response, maxBytes, url).then((bytes) => {
        clearTimeout(timer);
        resolve(answer(response, bytes));
      }, fail);
    });
    outgoing.end(body);
  });
}

function lowerCaseKeys(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
}

function tooLarge(url: URL, maxBytes: number): PluginError {
  return new PluginError(`The answer of ${url.origin} is larger than ${maxBytes} bytes`, {
    code: 'http_response_too_large',
  });
}

/** The answer's body, up to `maxBytes`; a larger one is cut off (the connection destroyed). */
async function readBody(response: IncomingMessage, maxBytes: number, url: URL): Promise<Buffer> {
  try {
    return await readLimitedBody(response, { maxBytes, tooLarge: () => tooLarge(url, maxBytes) });
  } catch (error) {
    response.destroy();
    throw error;
  }
}

function answer(response: IncomingMessage, bytes: Buffer): HttpResponse {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const text = () => bytes.toString('utf8');
  return {
    status: response.statusCode ?? 0,
    headers,
    text: async () => text(),
    json: async <T>() => {
      try {
        return JSON.parse(text()) as T;
      } catch (error) {
        throw new PluginError(`The answer is not JSON (status ${response.statusCode})`, {
          code: 'http_invalid_json',
          cause: error,
        });
      }
    },
  };
}

/** Keeps the guard's and the timer's errors; anything else (refused connection, TLS…) is `http_error`. */
function asPluginError(error: unknown, url: URL): PluginError {
  if (error instanceof PluginError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new PluginError(`Request to ${url.origin} failed: ${message}`, { code: 'http_error', cause: error });
}
