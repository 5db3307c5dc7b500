import type Router from '@koa/router';
import type { Context } from 'koa';
import type { AuthServices, SessionCaller } from '../auth';
import { type FaultlineError } from '../errors';
import { confirmLink, openLinkRequest, type LinkRequest, type Sealer } from '../identities';
import type { Knex } from 'knex';
import { auditActor } from './audit-actor';
import { sessionCaller } from './auth';
import { assertCleanUrl } from './clean-input';
import { readFormBody } from './oauth/form-body';
import { html, page, showPage, shownError } from './oauth/html';

/** Where the link an integration sends points: `…?token=<sealed request>`. */
export const ACCOUNT_LINK_PATH = '/account-links/confirm';

const PROVIDER_NAMES: Record<string, string> = { slack: 'Slack', github: 'GitHub' };

/**
 * The page a person confirms a linked account on, reached through the link an integration sent
 * them (served by core as plain HTML until the web UI takes it over). The person must be signed in
 * to Faultline in this browser (the web UI's sign-in page); the form carries the
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
      if (!caller) return showPage(ctx, signInFirst(request));
      showPage(ctx, confirmPage(request, token, caller));
    } catch (error) {
      showPage(ctx, failedPage(shownError(error)), shownError(error));
    }
  });

  router.post(ACCOUNT_LINK_PATH, async (ctx) => {
    try {
      const form = await readFormBody(ctx.req, deps.bodyIdleTimeoutMs);
      const caller = await session(ctx, form.csrf_token);
      if (!caller) {
        const request = await openLinkRequest(knex, sealer, tokenParam(form.token), { consume: false });
        return showPage(ctx, signInFirst(request));
      }
      const link = await confirmLink(knex, sealer, {
        token: tokenParam(form.token),
        user: caller.user,
        actor: auditActor(ctx, sessionCaller(caller)),
      });
      showPage(
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
      showPage(ctx, failedPage(shownError(error)), shownError(error));
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
        href="/auth/login"
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
