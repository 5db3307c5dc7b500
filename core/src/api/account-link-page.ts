import type Router from '@koa/router';
import type { Context } from 'koa';
import type { AuthServices, SessionCaller } from '../auth';
import { FaultlineError } from '../errors';
import { confirmLink, openLinkRequest, type LinkRequest, type Sealer } from '../identities';
import type { Knex } from 'knex';
import { auditActor } from './audit-actor';
import { sessionCaller } from './auth';
import { assertCleanUrl } from './clean-input';
import { readFormBody } from './oauth/form-body';
import { html, page } from './oauth/html';

/** Where the link an integration sends points: `…?token=<sealed request>`. */
export const ACCOUNT_LINK_PATH = '/account-links/confirm';

/** As the device approval page: no frames (a clickjacked Link button), no script, no Referer, no cache. */
const PAGE_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

const PROVIDER_NAMES: Record<string, string> = { slack: 'Slack', github: 'GitHub' };

/**
 * The page a person confirms a linked account on, reached through the link an integration sent
 * them (served by core as plain HTML until the web UI takes it over). The person must be signed in
 * to Faultline in this browser (the device sign-in page signs them in); the form carries the
 * session's CSRF token, so no other site can link an account for a visitor.
 */
export function mountAccountLinkPage(
  router: Router,
  deps: { knex: Knex; auth: AuthServices; sealer: Sealer; bodyIdleTimeoutMs?: number },
): void {
  const { knex, auth, sealer } = deps;
  const session = (ctx: Context, csrfField?: string): Promise<SessionCaller | undefined> =>
    auth.authenticator.authenticate(ctx.cookies.get(auth.cookies.names.session), csrfField, ctx.method);

  router.get(ACCOUNT_LINK_PATH, async (ctx) => {
    assertCleanUrl(ctx);
    const token = tokenParam(ctx.query.token);
    try {
      const request = await openLinkRequest(knex, sealer, token, { consume: false });
      const caller = await session(ctx);
      if (!caller) return show(ctx, signInFirst(request));
      show(ctx, confirmPage(request, token, caller));
    } catch (error) {
      show(ctx, failedPage(typed(error)), typed(error));
    }
  });

  router.post(ACCOUNT_LINK_PATH, async (ctx) => {
    try {
      const form = await readFormBody(ctx.req, deps.bodyIdleTimeoutMs);
      const caller = await session(ctx, form.csrf_token);
      if (!caller) {
        const request = await openLinkRequest(knex, sealer, tokenParam(form.token), { consume: false });
        return show(ctx, signInFirst(request));
      }
      const link = await confirmLink(knex, sealer, {
        token: tokenParam(form.token),
        user: caller.user,
        actor: auditActor(ctx, sessionCaller(caller)),
      });
      show(
        ctx,
        page(
          'Account linked',
          html`<p>
              Your ${providerName(link.provider)} account (${link.external_user_id}) now acts as
              <strong>${caller.user.email}</strong> in ${link.organization_slug}.
            </p>
            <p class="note">You can close this page. Unlink it any time, from either side.</p>`,
        ),
      );
    } catch (error) {
      show(ctx, failedPage(typed(error)), typed(error));
    }
  });
}

function providerName(provider: string): string {
  return PROVIDER_NAMES[provider] ?? provider;
}

function signInFirst(request: LinkRequest): string {
  return page(
    'Sign in to link your account',
    html`<p>
      To link your ${providerName(request.identity.provider)} account to Faultline in
      <strong>${request.organizationSlug}</strong>, sign in to Faultline in this browser first (<a
        href="/oauth/device"
        >sign in</a
      >), then open the link you were sent again.
    </p>`,
  );
}

function confirmPage(request: LinkRequest, token: string, caller: SessionCaller): string {
  const provider = providerName(request.identity.provider);
  return page(
    `Link your ${provider} account`,
    html`<p>
        ${provider} user <strong>${request.identity.userId}</strong> (workspace
        ${request.identity.workspaceId}) asks to act as you, <strong>${caller.user.email}</strong>, in
        organization <strong>${request.organizationSlug}</strong>: what you do there through ${provider} is
        done with your role and recorded as yours.
      </p>
      <p class="note">Only continue if you asked for this link yourself, just now, from ${provider}.</p>
      <form method="post" action="${ACCOUNT_LINK_PATH}">
        <input type="hidden" name="token" value="${token}" />
        <input type="hidden" name="csrf_token" value="${caller.session.csrfToken}" />
        <button type="submit">Link my account</button>
      </form>`,
  );
}

function failedPage(error: FaultlineError): string {
  return page('The account was not linked', html`<p class="error">${error.message}</p>`);
}

function tokenParam(value: unknown): string {
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  return typeof last === 'string' ? last.slice(0, 1000) : '';
}

function show(ctx: Context, body: string, error?: FaultlineError): void {
  for (const [name, value] of Object.entries(PAGE_HEADERS)) ctx.set(name, value);
  if (error) for (const [name, value] of Object.entries(error.headers)) ctx.set(name, value);
  ctx.status = error?.status ?? 200;
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = body;
}

/** A typed error is shown on the page; anything else is ours, and goes on to the error middleware. */
function typed(error: unknown): FaultlineError {
  if (error instanceof FaultlineError) return error;
  throw error;
}
