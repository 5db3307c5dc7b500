import { httpRequest, type HttpResponse } from './http';

export interface PageAnswer {
  status: number;
  /** Where a redirect points. */
  location?: string;
  html: string;
  headers: HttpResponse['headers'];
}

/**
 * A person's browser for server-rendered pages, without a browser: keeps cookies as Set-Cookie
 * set them and posts HTML forms as browsers do (`application/x-www-form-urlencoded`, the form's
 * hidden fields included). Redirects are not followed, so a test sees each step.
 */
export class Browser {
  private readonly cookies = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  async get(pathOrUrl: string): Promise<PageAnswer> {
    return this.send('GET', pathOrUrl);
  }

  /** Submits the form of `page` whose action is `action`, its hidden fields plus `fields`. */
  async submit(page: PageAnswer, action: string, fields: Record<string, string> = {}): Promise<PageAnswer> {
    const form = formIn(page.html, action);
    const method = (/method="([a-z]+)"/i.exec(form.tag)?.[1] ?? 'get').toUpperCase();
    const params = new URLSearchParams({ ...form.hidden, ...fields });
    if (method === 'GET') return this.get(`${action}?${params}`);
    return this.send('POST', action, params.toString());
  }

  /** Follows one redirect answer. */
  async follow(answer: PageAnswer): Promise<PageAnswer> {
    if (!answer.location) throw new Error(`not a redirect (${answer.status}): ${answer.html.slice(0, 300)}`);
    return this.get(answer.location);
  }

  cookie(nameEnd: string): string | undefined {
    return [...this.cookies.entries()].find(([name]) => name.endsWith(nameEnd))?.[1];
  }

  private async send(method: string, pathOrUrl: string, body?: string): Promise<PageAnswer> {
    const url = new URL(pathOrUrl, this.baseUrl).toString();
    const headers: Record<string, string> = {
      Accept: 'text/html',
      Cookie: [...this.cookies.entries()].map(([name, value]) => `${name}=${value}`).join('; '),
    };
    if (body !== undefined) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    const res = await httpRequest(url, { method, headers, body });
    for (const header of res.headers['set-cookie'] ?? []) {
      const pair = header.split(';', 1)[0];
      const at = pair.indexOf('=');
      const [name, value] = [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
      if (value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const location = res.headers.location;
    return { status: res.status, location, html: res.text(), headers: res.headers };
  }
}

/** The form with this action and its hidden fields (values unescaped as a browser would). */
function formIn(html: string, action: string): { tag: string; hidden: Record<string, string> } {
  for (const match of html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/g)) {
    const tag = /<form\b[^>]*>/.exec(match[0])![0];
    if (!tag.includes(`action="${action}"`)) continue;
    const hidden: Record<string, string> = {};
    for (const input of match[0].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\s*\/?>/g))
      hidden[input[1]] = unescapeHtml(input[2]);
    return { tag, hidden };
  }
  throw new Error(`no form with action ${action} on the page: ${html.slice(0, 500)}`);
}

function unescapeHtml(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
