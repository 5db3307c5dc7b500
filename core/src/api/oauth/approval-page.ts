import { randomBytes, timingSafeEqual } from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import {
  login,
  verifySecondFactor,
  type AuthServices,
  type CookieDescription,
  type SessionCaller,
} from '../../auth';
import { VERIFICATION_PATH, type DeviceAuthService } from '../../device-auth';
import { FaultlineError } from '../../errors';
import { assertCleanUrl } from '../clean-input';
import { applyCookies, clientInfo } from '../session-cookies';
import { readFormBody } from './form-body';
import { showPage, shownError } from './html';
import { approvalPage, donePage, enterCodePage, signInPage, twoFactorPage } from './pages';

const SIGN_IN_PATH = `${VERIFICATION_PATH}/sign-in`;
const TWO_FACTOR_PATH = `${VERIFICATION_PATH}/two-factor`;
const DECISION_PATH = `${VERIFICATION_PATH}/decision`;
const SSO_PATH = `${VERIFICATION_PATH}/sso`;

/**
 * The page a person opens at the verification URI to approve or deny a device (RFC 8628 §3.3),
 * served by core as plain HTML forms until the web UI takes it over. It signs the person in with
 * the same flows as the API (password, then the second factor when they have one; or their
 * organization's single sign-on, which comes back here), then shows who asks for what.
 *
 * CSRF: every form that acts for a session carries the session's CSRF token, checked as the API
 * checks its header. The password form has no session yet, so it carries a random token also set
 * in a SameSite=Strict cookie (a page elsewhere can read neither), which stops a foreign page
 * from signing a visitor in as someone else.
 */
export function mountApprovalPage(
  router: Router,
  devices: DeviceAuthService,
  auth: AuthServices,
  options: { publicUrl: string; bodyIdleTimeoutMs?: number },
): void {
  const formCookie = formCookieName(options.publicUrl);
  const secure = new URL(options.publicUrl).protocol === 'https:';

  /** The sign-in form, with a form token reused from the cookie or set anew. */
  const showSignIn = (ctx: Context, userCode: string | undefined, error?: FaultlineError) => {
    let token = ctx.cookies.get(formCookie);
    if (!token || !/^[\w-]{43}$/.test(token)) {
      token = randomBytes(32).toString('base64url');
      applyCookies(ctx, [formTokenCookie(formCookie, token, secure)]);
    }
    showPage(
      ctx,
      signInPage({ userCode, formToken: token, signInPath: SIGN_IN_PATH, ssoPath: SSO_PATH, error }),
      error,
    );
  };

  const session = (ctx: Context, csrfField?: string): Promise<SessionCaller | undefined> =>
    auth.authenticator.authenticate(ctx.cookies.get(auth.cookies.names.session), csrfField, ctx.method, {
      allowPendingSecondFactor: true,
    });

  router.get(VERIFICATION_PATH, async (ctx) => {
    assertCleanUrl(ctx);
    const userCode = queryParam(ctx, 'user_code');
    const caller = await session(ctx);
    if (!caller) return showSignIn(ctx, userCode);
    if (caller.session.pendingSecondFactor)
      return showPage(
        ctx,
        twoFactorPage({ userCode, csrfToken: caller.session.csrfToken, action: TWO_FACTOR_PATH }),
      );
    if (!userCode) return showPage(ctx, enterCodePage({ user: caller.user }));
    try {
      const pending = await devices.describe(userCode, caller.user, ctx.ip);
      showPage(
        ctx,
        approvalPage({
          pending,
          user: caller.user,
          csrfToken: caller.session.csrfToken,
          action: DECISION_PATH,
        }),
      );
    } catch (error) {
      showPage(
        ctx,
        enterCodePage({ user: caller.user, userCode, error: shownError(error) }),
        shownError(error),
      );
    }
  });

  router.post(SIGN_IN_PATH, async (ctx) => {
    const form = await readFormBody(ctx.req, options.bodyIdleTimeoutMs);
    if (!sameToken(ctx.cookies.get(formCookie), form.form_token))
      return showSignIn(ctx, form.user_code, new FormExpiredError());
    try {
      const signed = await login(auth, {
        email: form.email ?? '',
        password: form.password ?? '',
        ...clientInfo(ctx),
      });
      applyCookies(ctx, signed.cookies);
      seeOther(ctx, form.user_code);
    } catch (error) {
      showSignIn(ctx, form.user_code, shownError(error));
    }
  });

  router.post(TWO_FACTOR_PATH, async (ctx) => {
    const form = await readFormBody(ctx.req, options.bodyIdleTimeoutMs);
    const caller = await session(ctx, form.csrf_token).catch((error: unknown) => {
      showPage(ctx, enterCodePage({ userCode: form.user_code, error: shownError(error) }), shownError(error));
      return null;
    });
    if (caller === null) return;
    if (!caller) return seeOther(ctx, form.user_code);
    try {
      const signed = await verifySecondFactor(auth, caller, form.code ?? '');
      applyCookies(ctx, signed.cookies);
      seeOther(ctx, form.user_code);
    } catch (error) {
      const page = twoFactorPage({
        userCode: form.user_code,
        csrfToken: caller.session.csrfToken,
        action: TWO_FACTOR_PATH,
        error: shownError(error),
      });
      showPage(ctx, page, shownError(error));
    }
  });

  router.post(DECISION_PATH, async (ctx) => {
    const form = await readFormBody(ctx.req, options.bodyIdleTimeoutMs);
    const caller = await session(ctx, form.csrf_token).catch((error: unknown) => {
      showPage(ctx, enterCodePage({ userCode: form.user_code, error: shownError(error) }), shownError(error));
      return null;
    });
    if (caller === null) return;
    if (!caller || caller.session.pendingSecondFactor) return seeOther(ctx, form.user_code);
    const approve = form.decision === 'approve';
    try {
      const pending = await devices.decide(form.user_code ?? '', caller.user, approve, ctx.ip);
      showPage(ctx, donePage({ approved: approve, pending }));
    } catch (error) {
      showPage(
        ctx,
        enterCodePage({ user: caller.user, userCode: form.user_code, error: shownError(error) }),
        shownError(error),
      );
    }
  });

  // Single sign-on comes back to this page: `next` keeps the user code.
  router.get(SSO_PATH, (ctx) => {
    assertCleanUrl(ctx);
    const organization = queryParam(ctx, 'organization')?.trim() ?? '';
    if (!/^[a-z0-9][a-z0-9_-]*$/i.test(organization))
      return showSignIn(ctx, queryParam(ctx, 'user_code'), new NoOrganizationError());
    const next = deviceLocation(queryParam(ctx, 'user_code'));
    ctx.redirect(
      `/api/0/auth/sso/${encodeURIComponent(organization)}/login/?next=${encodeURIComponent(next)}`,
    );
  });
}

class FormExpiredError extends FaultlineError {
  readonly status = 403;
  readonly code = 'csrf_failed';
  constructor() {
    super('This form expired or was sent from another site; sign in again here');
  }
}

class NoOrganizationError extends FaultlineError {
  readonly status = 400;
  readonly code = 'invalid_organization';
  constructor() {
    super('Type the short name (slug) of your organization, as in its Faultline URLs');
  }
}

/** After a form that signed in: back to the page (303, so the browser GETs it), code kept. */
function seeOther(ctx: Context, userCode: string | undefined): void {
  ctx.redirect(deviceLocation(userCode));
  ctx.status = 303;
}

function deviceLocation(userCode: string | undefined): string {
  return userCode ? `${VERIFICATION_PATH}?user_code=${encodeURIComponent(userCode)}` : VERIFICATION_PATH;
}

function queryParam(ctx: Context, name: string): string | undefined {
  const value = ctx.query[name];
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  return last ? last.slice(0, 100) : undefined;
}

function sameToken(cookie: string | undefined, field: string | undefined): boolean {
  if (!cookie || !field) return false;
  const a = Buffer.from(cookie);
  const b = Buffer.from(field);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Like the session cookies: the `__Host-` prefix when served over HTTPS. */
function formCookieName(publicUrl: string): string {
  return `${new URL(publicUrl).protocol === 'https:' ? '__Host-' : ''}faultline_device_form`;
}

function formTokenCookie(name: string, token: string, secure: boolean): CookieDescription {
  return {
    name,
    value: token,
    // Strict: a form posted from another site arrives without it.
    options: { httpOnly: true, sameSite: 'strict', secure, path: '/', maxAge: 3600 * 1000, overwrite: true },
  };
}
