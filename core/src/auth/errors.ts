import { AuthError, BadRequestError, ForbiddenError } from '../errors';

/**
 * The authentication errors, all members of the core family in `core/src/errors`, so the one error
 * middleware maps them to HTTP answers like any other.
 */

/** Wrong email or password; deliberately the same answer for an unknown email. */
export class InvalidCredentialsError extends AuthError {
  constructor() {
    super('The email or password is not correct', 'invalid_credentials');
  }
}

export type PasswordRule = 'too_short' | 'too_long' | 'matches_email' | 'too_common' | 'too_simple';

/** A new password breaks the password policy; `rule` names which part. */
export class PasswordPolicyError extends BadRequestError {
  constructor(
    readonly rule: PasswordRule,
    message: string,
  ) {
    super(message, `password_${rule}`);
  }
}

/** A cookie-authenticated write came without the session's CSRF token (or with a wrong one). */
export class CsrfError extends ForbiddenError {
  constructor() {
    super(
      'CSRF check failed: send the X-CSRF-Token header with the token issued with this session',
      'csrf_failed',
    );
  }
}

/** A password reset token that is unknown, used or expired (one answer for all three). */
export class InvalidResetTokenError extends BadRequestError {
  constructor() {
    super(
      'This password reset link is invalid, already used or expired; ask for a new one',
      'invalid_reset_token',
    );
  }
}

/** A TOTP or recovery code that does not verify (wrong, outside the window, or already used). */
export class InvalidTwoFactorCodeError extends AuthError {
  constructor() {
    super('The two-factor code is not correct, has expired or was already used', 'invalid_two_factor_code');
  }
}

/** The session has a password but still needs the second factor. */
export class TwoFactorRequiredError extends AuthError {
  constructor() {
    super(
      'Two-factor authentication is required: send a code from your authenticator app',
      'two_factor_required',
    );
  }
}

/** A 2FA operation that does not fit the user's current state (e.g. enrolling twice). */
export class TwoFactorStateError extends BadRequestError {
  constructor(
    message: string,
    code:
      | 'two_factor_already_enabled'
      | 'two_factor_not_pending'
      | 'two_factor_not_enabled'
      | 'own_two_factor_required',
  ) {
    super(message, code);
  }
}
