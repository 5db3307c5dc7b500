/**
 * Device sign-in (OAuth 2.0 Device Authorization Grant, RFC 8628): how an editor or a command line
 * gets a token without the person pasting one. Owns the `device_authorizations` table.
 */
export {
  DeviceAuthService,
  DEFAULT_DEVICE_AUTH_TIMINGS,
  DEVICE_CODE_GRANT_TYPE,
  VERIFICATION_PATH,
  APPROVAL_PAGE_PATH,
  type DeviceAuthTimings,
  type DeviceCodeAnswer,
  type IssuedToken,
  type PendingApproval,
} from './flow';
export { DEVICE_CLIENTS, findDeviceClient, type DeviceClient } from './clients';
export { normalizeUserCode, USER_CODE_ALPHABET } from './codes';
