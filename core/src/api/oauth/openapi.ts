import { z } from 'zod';
import { deviceCodeAnswer, deviceCodeForm, oauthErrorAnswer, tokenAnswer, tokenForm } from './schemas';

type JsonObject = Record<string, unknown>;

function schema(of: z.ZodType): JsonObject {
  const json = z.toJSONSchema(of, { io: 'input' }) as JsonObject;
  delete json.$schema;
  return json;
}

function operation(summary: string, form: z.ZodType, answer: z.ZodType, errors: string): JsonObject {
  const json = (of: z.ZodType, description: string) => ({
    description,
    content: { 'application/json': { schema: schema(of) } },
  });
  return {
    summary,
    security: [],
    requestBody: {
      required: true,
      content: { 'application/x-www-form-urlencoded': { schema: schema(form) } },
    },
    responses: {
      '200': json(answer, 'Success (never cached)'),
      '400': json(oauthErrorAnswer, errors),
      '401': json(oauthErrorAnswer, '`invalid_client`: a missing or unknown client_id'),
      // Faultline's own limit on requests per address, answered as every 429 is, with Retry-After.
      '429': {
        description: 'Too many requests from this address; Retry-After says when to try again',
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['detail', 'code'],
              properties: { detail: { type: 'string' }, code: { type: 'string' } },
            },
          },
        },
      },
    },
  };
}

/**
 * The API description with the device sign-in endpoints added (RFC 8628), which live outside
 * `/api/0` and its route declarations because the RFC fixes their form bodies and error shape.
 */
export function withOAuthEndpoints(document: JsonObject): JsonObject {
  const paths = {
    ...(document.paths as JsonObject),
    '/oauth/device/code': {
      post: operation(
        'Device sign-in, step 1 (RFC 8628 §3.1): a device asks for a device code and a user code to show',
        deviceCodeForm,
        deviceCodeAnswer,
        '`invalid_scope` or `invalid_request` (RFC 6749 §5.2 shape)',
      ),
    },
    '/oauth/token': {
      post: operation(
        'Device sign-in, step 3 (RFC 8628 §3.4): the device polls until the person approved, then gets its token, once',
        tokenForm,
        tokenAnswer,
        '`authorization_pending`, `slow_down` (wait 5 s more from now on), `access_denied`, `expired_token`, `invalid_grant` (unknown, used, or issued to another client), `unsupported_grant_type` or `invalid_request`',
      ),
    },
  };
  return {
    ...document,
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
  };
}
