import fs from 'node:fs';
import path from 'node:path';
import type { Context, Next } from 'koa';
import send from 'koa-send';
import { NotFoundError } from '../errors';

/**
 * The web UI's policy: scripts, styles, images and API calls from this origin only (no inline
 * script or style, no third-party origin), never framed. Vite's build has no inline script, and
 * React sets styles through the DOM, which style-src doesn't govern.
 */
export const WEB_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** Vite names every file under assets/ by a hash of its content, so a name never changes meaning. */
const ASSETS_PREFIX = '/assets/';
const YEAR_MS = 365 * 24 * 3600 * 1000;

/**
 * Paths the web UI never answers: the API, ingestion (`/api/{project}/envelope/`) and the health
 * check keep their JSON 404s, so a mistyped API path never gets a page of HTML.
 */
function isServerPath(pathname: string): boolean {
  return pathname === '/api' || pathname.startsWith('/api/') || pathname === '/_health';
}

function securityHeaders(ctx: Context): void {
  ctx.set('Content-Security-Policy', WEB_CSP);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'same-origin');
  ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
}

/** Whether `dir` holds a built web UI (Vite writes index.html last). */
export function hasWebUi(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'index.html'));
}

/**
 * Serves the built web UI from `dir`; mounted after every route, so it sees what none answered: hashed files under /assets/ with a
 * year-long immutable cache (their .br/.gz twins when the client accepts them), and index.html for
 * every other GET, so the client's router shows the page of any deep link (history fallback).
 * index.html itself is never cached, so a new build is picked up at the next load.
 *
 * Without a built UI (a checkout where only `tsc -b` ran) every page answers a JSON 404 saying how
 * to build it, instead of the API's bare "no route".
 */
export function webAssets(dir: string) {
  const root = path.resolve(dir);
  return async (ctx: Context, next: Next): Promise<void> => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || isServerPath(ctx.path)) return next();
    if (!hasWebUi(root)) {
      throw new NotFoundError(
        `The web UI is not built in ${root}: run \`npm run build\` (or set WEB_DIR to a built copy)`,
        'web_ui_missing',
      );
    }
    securityHeaders(ctx);
    ctx.vary('Accept-Encoding');
    if (ctx.path.startsWith(ASSETS_PREFIX)) {
      try {
        await send(ctx, ctx.path, { root, immutable: true, maxage: YEAR_MS, brotli: true, gzip: true });
      } catch (error) {
        if ((error as { status?: number }).status === 404) {
          // An old page asking for a file of a previous build: a clear 404, not index.html as script.
          throw new NotFoundError(`No web UI file ${ctx.path}; reload the page`, 'no_route');
        }
        throw error;
      }
      return;
    }
    // Set first: koa-send keeps a Cache-Control already there. index.html is revalidated every time.
    ctx.set('Cache-Control', 'no-cache');
    await send(ctx, 'index.html', { root, brotli: false, gzip: false });
  };
}
