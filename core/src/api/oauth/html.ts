import escapeHtml from 'escape-html';
import type { Context } from 'koa';
import { FaultlineError } from '../../errors';

/** Markup that is already safe: what `html` returns, so nested templates aren't escaped twice. */
export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Value = string | number | SafeHtml | readonly SafeHtml[] | undefined | null | false;

/**
 * A template tag that escapes every interpolated value (codes, names and emails come from users),
 * except `SafeHtml` made by this tag; arrays of it are joined, `undefined`/`null`/`false` vanish.
 */
export function html(strings: TemplateStringsArray, ...values: Value[]): SafeHtml {
  let out = strings[0];
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1];
  });
  return new SafeHtml(out);
}

function render(value: Value): string {
  if (value === undefined || value === null || value === false) return '';
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map((part: SafeHtml) => part.text).join('');
  return escapeHtml(String(value));
}

/** A whole page: small, styled inline (the CSP allows nothing else), no script at all. */
export function page(title: string, body: SafeHtml): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Faultline</title>
        <style>
          body {
            font:
              16px/1.5 system-ui,
              sans-serif;
            max-width: 32rem;
            margin: 3rem auto;
            padding: 0 1rem;
            color: #1d1d1f;
          }
          h1 {
            font-size: 1.4rem;
          }
          label {
            display: block;
            margin: 0.8rem 0 0.2rem;
          }
          input[type='text'],
          input[type='email'],
          input[type='password'] {
            width: 100%;
            padding: 0.4rem;
            font-size: 1rem;
            box-sizing: border-box;
          }
          button {
            margin: 1rem 0.5rem 0 0;
            padding: 0.5rem 1.2rem;
            font-size: 1rem;
          }
          .code {
            font:
              1.6rem/1.2 ui-monospace,
              monospace;
            letter-spacing: 0.1em;
          }
          .error {
            background: #fde8e8;
            border: 1px solid #e0a0a0;
            padding: 0.5rem 0.8rem;
          }
          .note {
            color: #555;
            font-size: 0.9rem;
          }
        </style>
      </head>
      <body>
        <h1>${title}</h1>
        ${body}
      </body>
    </html> `.text;
}

/**
 * The headers of core's own server-rendered pages (the account link): no frames (a
 * clickjacked Link button), no script, no Referer (the address carries a code), no cache.
 */
const PAGE_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

/** Answers with a page, under the pages' headers; with the status and headers of `error` when it shows one. */
export function showPage(ctx: Context, body: SafeHtml | string, error?: FaultlineError): void {
  for (const [name, value] of Object.entries(PAGE_HEADERS)) ctx.set(name, value);
  if (error) for (const [name, value] of Object.entries(error.headers)) ctx.set(name, value);
  ctx.status = error?.status ?? 200;
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = String(body);
}

/** A typed error is shown on the page; anything else is ours, and goes on to the error middleware. */
export function shownError(error: unknown): FaultlineError {
  if (error instanceof FaultlineError) return error;
  throw error;
}
