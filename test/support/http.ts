import http from 'node:http';

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text(): string;
  json<T>(): T;
}

export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /**
   * Send the body with `Transfer-Encoding: chunked` in pieces of this many bytes (as @sentry/node
   * does) instead of with a Content-Length.
   */
  chunkBytes?: number;
  /** The whole exchange must finish within this time. Default 10 s. */
  timeoutMs?: number;
  agent?: http.Agent;
}

/**
 * One HTTP exchange with exact control over headers and body bytes (fetch would add its own
 * headers and never sends chunked bodies). Rejects on network errors and on timeout, so a hung
 * server fails the test instead of stalling it.
 */
export function httpRequest(url: string, options: HttpRequestOptions = {}): Promise<HttpResponse> {
  const body = typeof options.body === 'string' ? Buffer.from(options.body) : options.body;
  const headers: Record<string, string> = { ...options.headers };
  const hasHeader = (name: string) => Object.keys(headers).some((h) => h.toLowerCase() === name);
  if (body && options.chunkBytes) headers['Transfer-Encoding'] = 'chunked';
  else if (body && !hasHeader('content-length')) headers['Content-Length'] = String(body.length);
  const timeoutMs = options.timeoutMs ?? 10_000;

  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers, agent: options.agent });
    const timer = setTimeout(
      () => req.destroy(new Error(`${options.method ?? 'GET'} ${url} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      res.on('end', () => {
        clearTimeout(timer);
        const data = Buffer.concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: data,
          text: () => data.toString('utf8'),
          json: <T>() => JSON.parse(data.toString('utf8')) as T,
        });
      });
    });
    if (body && options.chunkBytes) {
      for (let at = 0; at < body.length; at += options.chunkBytes)
        req.write(body.subarray(at, at + options.chunkBytes));
      req.end();
    } else {
      req.end(body);
    }
  });
}
