import type Router from '@koa/router';
import type { Context, Next } from 'koa';
import { readBody } from './decode-body';
import { EnvelopeItemCounter } from './envelope-counter';
import { DecompressionBudget } from './decompression-budget';
import type { IngestRequest, IngestService } from './ingest-service';
import { parseProjectId } from './sentry-auth';

export interface IngestRouteLimits {
  maxBodyBytes: number;
  maxEnvelopeBytes: number;
  maxEnvelopeItems: number;
  /** Decompressed bytes all requests in progress may hold at once (503 + Retry-After past it). */
  decompressionBudgetBytes: number;
  /** A client that sends no byte of the body for this long gets a 408 (unset: no limit). */
  bodyIdleTimeoutMs?: number;
}

const ALLOWED_HEADERS = [
  'x-sentry-auth',
  'x-requested-with',
  'x-forwarded-for',
  'origin',
  'referer',
  'accept',
  'authentication',
  'authorization',
  'content-encoding',
  'content-type',
  'sentry-trace',
  'baggage',
].join(', ');
const EXPOSED_HEADERS = 'x-sentry-error, x-sentry-rate-limits, retry-after';

/**
 * CORS for browser SDKs: any origin may POST. Set before the handler runs so error answers carry it
 * too; otherwise the SDK can't read the status and counts the event as lost.
 */
async function sentryCors(ctx: Context, next: Next): Promise<void> {
  ctx.set('Access-Control-Allow-Origin', ctx.get('Origin') || '*');
  ctx.set('Vary', 'Origin');
  ctx.set('Access-Control-Expose-Headers', EXPOSED_HEADERS);
  if (ctx.method === 'OPTIONS') {
    ctx.set('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    ctx.set('Access-Control-Allow-Headers', ctx.get('Access-Control-Request-Headers') || ALLOWED_HEADERS);
    ctx.set('Access-Control-Max-Age', '3600');
    ctx.status = 200;
    return;
  }
  await next();
}

function headerValue(ctx: Context, name: string): string | undefined {
  const value = ctx.get(name);
  return value === '' ? undefined : value;
}

/** Mounts the SDK endpoints: `/api/{projectId}/envelope/` and the deprecated `/api/{projectId}/store/`. */
export function mountIngestRoutes(router: Router, service: IngestService, limits: IngestRouteLimits): void {
  const budget = new DecompressionBudget(limits.decompressionBudgetBytes);
  const handle = (kind: 'envelope' | 'store') => async (ctx: Context) => {
    const base: Omit<IngestRequest, 'body'> = {
      projectId: parseProjectId(String(ctx.params.projectId)),
      query: ctx.query,
      sentryAuthHeader: headerValue(ctx, 'x-sentry-auth'),
      authorizationHeader: headerValue(ctx, 'authorization'),
      clientIp: ctx.request.ip || undefined,
    };
    await service.authenticateEarly(base);
    // The decompressed body is held until the request is answered, so its share of the budget is too.
    const lease = budget.lease();
    try {
      const body = await readBody(ctx.req, {
        contentEncoding: headerValue(ctx, 'content-encoding'),
        contentLength: headerValue(ctx, 'content-length'),
        maxCompressedBytes: limits.maxBodyBytes,
        maxDecompressedBytes: limits.maxEnvelopeBytes,
        idleTimeoutMs: limits.bodyIdleTimeoutMs,
        lease,
        // An envelope over its item limit is refused while it is decompressed, not once inflated.
        inspect: kind === 'envelope' ? new EnvelopeItemCounter(limits.maxEnvelopeItems).push : undefined,
      });
      const request: IngestRequest = { ...base, body };
      ctx.body =
        kind === 'envelope' ? await service.ingestEnvelope(request) : await service.ingestStore(request);
    } finally {
      lease.release();
    }
  };
  for (const kind of ['envelope', 'store'] as const) {
    router.options(`/api/:projectId/${kind}/`, sentryCors);
    router.post(`/api/:projectId/${kind}/`, sentryCors, handle(kind));
  }
}
