import { PasswordPolicyError } from './errors';

export const MIN_PASSWORD_LENGTH = 10;
/** Argon2 takes any length, but an upper bound keeps hashing cost predictable. */
export const MAX_PASSWORD_LENGTH = 256;

/** A short list of what people reach for first; a full breach list belongs to a later change. */
const COMMON_PASSWORDS = new Set([
  '1234567890',
  '12345678910',
  '0123456789',
  '1q2w3e4r5t',
  'qwertyuiop',
  'password123',
  'password1234',
  'passw0rd123',
  'iloveyou123',
  'administrator',
  'letmein1234',
  'welcome123',
  'changeme123',
  'faultline123',
  'sentry12345',
]);

/**
 * Checks a new password against the policy; throws `PasswordPolicyError` naming the broken rule.
 * Length is counted in characters (code points), so non-Latin passwords are not penalised.
 */
export function checkPasswordPolicy(password: string, context: { email: string }): void {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) {
    throw new PasswordPolicyError(
      'too_short',
      `The password must be at least ${MIN_PASSWORD_LENGTH} characters long`,
    );
  }
  if (length > MAX_PASSWORD_LENGTH) {
    throw new PasswordPolicyError(
      'too_long',
      `The password must be at most ${MAX_PASSWORD_LENGTH} characters long`,
    );
  }
  const lower = password.toLowerCase();
  const email = context.email.trim().toLowerCase();
  const localPart = email.split('@')[0] ?? '';
  if (lower === email || (localPart.length >= 4 && lower === localPart)) {
    throw new PasswordPolicyError('matches_email', 'The password must not be your email address');
  }
  if (COMMON_PASSWORDS.has(lower)) {
    throw new PasswordPolicyError('too_common', 'This password is too common; choose another one');
  }
  if (new Set(password).size < 4) {
    throw new PasswordPolicyError('too_simple', 'The password needs at least 4 different characters');
  }
}
