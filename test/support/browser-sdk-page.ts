import http from 'node:http';
import path from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT } from './cli';
import { freePort } from './server';

/** What the page in browser-sdk-page/page.ts throws, as the title. */
export const BROWSER_THROWN_TITLE = 'TypeError: Card declined for order 5521';

/**
 * Serves a page that runs the real @sentry/browser SDK, bundled here with esbuild (no minifying,
 * so function names stay as written), on its own loopback origin: the SDK then reports to
 * Faultline across origins, as on a real site (CORS preflight included).
 */
export class BrowserSdkPage {
  private constructor(
    private readonly server: http.Server,
    readonly origin: string,
  ) {}

  static async start(): Promise<BrowserSdkPage> {
    const bundle = await build({
      entryPoints: [path.join(REPO_ROOT, 'test', 'support', 'browser-sdk-page', 'page.ts')],
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    });
    const script = bundle.outputFiles[0].text;
    const html =
      '<!doctype html><html><head><title>Checkout</title></head><body>' +
      '<button id="pay">Pay</button><script src="/checkout.js"></script></body></html>';
    const server = http.createServer((request, response) => {
      const isScript = request.url === '/checkout.js';
      response.writeHead(200, {
        'Content-Type': isScript ? 'text/javascript' : 'text/html; charset=utf-8',
      });
      response.end(isScript ? script : html);
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return new BrowserSdkPage(server, `http://127.0.0.1:${port}`);
  }

  /** The page's address, reporting to `dsn`. */
  url(dsn: string): string {
    return `${this.origin}/checkout.html?${new URLSearchParams({ dsn })}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
