import { z } from 'zod';
import { DEVICE_CLIENTS, DEVICE_CODE_GRANT_TYPE } from '../../device-auth';

/**
 * The device endpoints' forms and answers, declared once: the handlers' answers are typed by them
 * and the OpenAPI description is made from them (`openapi.ts`). The forms are read by hand, since
 * RFC 6749 names each way they can be wrong (`invalid_client`, `invalid_scope`…).
 */
const clientId = z.enum(DEVICE_CLIENTS.map((client) => client.id) as [string, ...string[]]);

export const deviceCodeForm = z.object({
  client_id: clientId,
  scope: z
    .string()
    .optional()
    .describe("Space-separated scopes, such as 'event:read event:write'; none: the client's defaults"),
});

export const deviceCodeAnswer = z.object({
  device_code: z.string().describe('What the device polls with; never shown to the person'),
  user_code: z.string().describe('What the person compares or types, such as WDJB-MJHT'),
  verification_uri: z.string(),
  verification_uri_complete: z.string().describe('The verification URI with the user code in it'),
  expires_in: z.number().int().describe('Seconds the codes stay valid (900)'),
  interval: z.number().int().describe('Seconds to wait between polls (5)'),
});

export const tokenForm = z.object({
  grant_type: z.literal(DEVICE_CODE_GRANT_TYPE),
  device_code: z.string(),
  client_id: clientId,
});

export const tokenAnswer = z.object({
  access_token: z.string().describe('An API token, for Authorization: Bearer'),
  token_type: z.literal('Bearer'),
  scope: z.string().describe('The scopes granted, space-separated'),
});

export const OAUTH_ERRORS = [
  'authorization_pending',
  'slow_down',
  'access_denied',
  'expired_token',
  'invalid_grant',
  'invalid_client',
  'invalid_scope',
  'invalid_request',
  'unsupported_grant_type',
] as const;

export const oauthErrorAnswer = z.object({
  error: z.enum(OAUTH_ERRORS),
  error_description: z.string(),
});
