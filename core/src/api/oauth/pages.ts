import type { User } from '../../accounts';
import { VERIFICATION_PATH, type PendingApproval } from '../../device-auth';
import type { FaultlineError } from '../../errors';
import { html, page, type SafeHtml } from './html';

/**
 * The approval page's screens, as plain HTML forms (no script): each names the forms' fields the
 * handlers in `approval-page.ts` read.
 */

function errorBox(error: FaultlineError | undefined): SafeHtml {
  return error ? html`<p class="error" role="alert" data-code="${error.code}">${error.message}</p>` : html``;
}

function hidden(name: string, value: string | undefined): SafeHtml {
  return value === undefined ? html`` : html`<input type="hidden" name="${name}" value="${value}" />`;
}

export function signInPage(input: {
  userCode?: string;
  formToken: string;
  signInPath: string;
  ssoPath: string;
  error?: FaultlineError;
}): string {
  return page(
    'Sign in to connect a device',
    html`${errorBox(input.error)}
      <p>
        A device or program asks to act as
        you${input.userCode ? html` with the code <span class="code">${input.userCode}</span>` : ''}. Sign in
        first; you approve or deny it next.
      </p>
      <form method="post" action="${input.signInPath}">
        ${hidden('form_token', input.formToken)}${hidden('user_code', input.userCode)}
        <label for="email">Email</label
        ><input type="email" id="email" name="email" autocomplete="username" required />
        <label for="password">Password</label
        ><input type="password" id="password" name="password" autocomplete="current-password" required />
        <button type="submit">Sign in</button>
      </form>
      <h2>Single sign-on</h2>
      <form method="get" action="${input.ssoPath}">
        ${hidden('user_code', input.userCode)}
        <label for="organization">Organization (its short name)</label
        ><input type="text" id="organization" name="organization" required />
        <button type="submit">Sign in with single sign-on</button>
      </form>`,
  );
}

export function twoFactorPage(input: {
  userCode?: string;
  csrfToken: string;
  action: string;
  error?: FaultlineError;
}): string {
  return page(
    'Two-factor authentication',
    html`${errorBox(input.error)}
      <form method="post" action="${input.action}">
        ${hidden('csrf_token', input.csrfToken)}${hidden('user_code', input.userCode)}
        <label for="code">Code from your authenticator app, or a recovery code</label>
        <input type="text" id="code" name="code" autocomplete="one-time-code" inputmode="numeric" required />
        <button type="submit">Verify</button>
      </form>`,
  );
}

export function enterCodePage(input: { user?: User; userCode?: string; error?: FaultlineError }): string {
  return page(
    'Connect a device',
    html`${errorBox(input.error)}
      ${input.user ? html`<p class="note">Signed in as ${input.user.email}.</p>` : ''}
      <form method="get" action="${VERIFICATION_PATH}">
        <label for="user_code">The code your device shows</label>
        <input
          type="text"
          id="user_code"
          name="user_code"
          value="${input.userCode ?? ''}"
          autocomplete="off"
          autocapitalize="characters"
          required
        />
        <button type="submit">Continue</button>
      </form>`,
  );
}

export function approvalPage(input: {
  pending: PendingApproval;
  user: User;
  csrfToken: string;
  action: string;
}): string {
  const { pending } = input;
  const withheld = pending.requestedScopes.filter(
    (scope) => !(pending.grantableScopes as string[]).includes(scope),
  );
  return page(
    `Connect ${pending.client.name}?`,
    html`<p class="note">Signed in as ${input.user.email}.</p>
      <p>Check that your device shows this code: <span class="code">${pending.userCode}</span></p>
      <p>
        <strong>${pending.client.name}</strong> asks to act as you, with these permissions in your
        organizations (as far as your role there allows):
      </p>
      <ul>
        ${pending.grantableScopes.map((scope) => html`<li data-scope="${scope}">${scope}</li>`)}
      </ul>
      ${withheld.length > 0 ? html`<p class="note">Asked for but not yours to give: ${withheld.join(', ')}.</p>` : ''}
      <p>
        Only approve if you started this sign-in yourself, just now. Anyone who got you to this page with a
        code of theirs would get these permissions.
      </p>
      <form method="post" action="${input.action}">
        ${hidden('csrf_token', input.csrfToken)}${hidden('user_code', pending.userCode)}
        <button type="submit" name="decision" value="approve">Approve</button>
        <button type="submit" name="decision" value="deny">Deny</button>
      </form>`,
  );
}

export function donePage(input: { approved: boolean; pending: PendingApproval }): string {
  return input.approved
    ? page(
        'Device connected',
        html`<p>
          ${input.pending.client.name} is signed in as you now. You can close this page and go back to it.
        </p>`,
      )
    : page(
        'Sign-in denied',
        html`<p>${input.pending.client.name} was not let in. You can close this page.</p>`,
      );
}
