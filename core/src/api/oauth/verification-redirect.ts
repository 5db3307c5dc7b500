import type Router from '@koa/router';
import { APPROVAL_PAGE_PATH, VERIFICATION_PATH } from '../../device-auth';
import { assertCleanUrl } from '../clean-input';

/**
 * The verification URI devices show (RFC 8628 §3.2) stays `/oauth/device`; the page a person
 * approves on is the web UI's, so this address sends them there with the code they were given.
 * The web page signs them in like any page (password, second factor, single sign-on) and answers
 * through the declared `/api/0/device-authorizations/` routes.
 */
export function mountVerificationRedirect(router: Router): void {
  router.get(VERIFICATION_PATH, (ctx) => {
    assertCleanUrl(ctx);
    const value = ctx.query.user_code;
    const userCode = (Array.isArray(value) ? value[value.length - 1] : value)?.slice(0, 100);
    ctx.redirect(
      userCode ? `${APPROVAL_PAGE_PATH}?user_code=${encodeURIComponent(userCode)}` : APPROVAL_PAGE_PATH,
    );
  });
}
