import { FaultlineError } from '../errors';

/**
 * An integration asked to act for an external user who has no Faultline account linked in its
 * organization (or whose linked account left it). The integration turns this into "connect your
 * account" text, with a link it asks for at `…/external-identities/link-requests/`.
 */
export class AccountNotLinkedError extends FaultlineError {
  readonly status = 403;
  readonly code = 'account_not_linked';
}
