import { z } from 'zod';
import type { ApiRoute } from './define-route';

type SecurityRequirement = Record<string, string[]>;

/**
 * Which credentials reach a route (see request-auth.ts): public routes read none; `session` and
 * `signInSession` routes only a session cookie; every other route an API token (holding the scope)
 * or a session cookie (the role's scopes apply). Session writes (any method but GET, HEAD, OPTIONS
 * and TRACE) also need the CSRF token in `X-CSRF-Token`; OpenAPI ANDs the schemes of one requirement.
 */
function securityFor(route: ApiRoute): SecurityRequirement[] {
  if (route.resource === 'public') return [];
  const session: SecurityRequirement =
    route.method === 'get' ? { sessionCookie: [] } : { sessionCookie: [], csrfToken: [] };
  if (route.resource === 'session' || route.resource === 'signInSession') return [session];
  return [{ bearerToken: route.scope === null ? [] : [route.scope] }, session];
}

type JsonSchema = Record<string, unknown>;

interface OpenApiParameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  schema: JsonSchema;
  description?: string;
}

/** `/api/0/issues/:issueId/` → `/api/0/issues/{issueId}/` */
function openApiPath(koaPath: string): { path: string; params: string[] } {
  const params: string[] = [];
  const path = koaPath.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => {
    params.push(name);
    return `{${name}}`;
  });
  return { path, params };
}

function toSchema(schema: z.ZodType): JsonSchema {
  // `io: 'input'` describes what a client sends (before defaults and transforms apply).
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  return json;
}

function queryParameters(schema: z.ZodType): OpenApiParameter[] {
  const json = toSchema(schema);
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: 'query',
    required: required.has(name),
    schema: property,
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
  }));
}

/**
 * The OpenAPI 3.1 description of the REST API, generated from the same route declarations (paths,
 * scopes, zod schemas) that the router enforces, so the reference can't drift from the code.
 */
export function buildOpenApiDocument(routes: ApiRoute[], version: string): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const { path, params } = openApiPath(route.path);
    const operation: Record<string, unknown> = {
      summary: route.summary,
      security: securityFor(route),
      'x-required-scope': route.scope,
      'x-guarded-resource': route.resource,
      parameters: [
        ...params.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
        ...queryParameters(route.query),
      ],
      responses: {
        '200':
          route.produces === 'text/event-stream'
            ? {
                description: 'A stream of Server-Sent Events that stays open',
                content: { 'text/event-stream': { schema: { type: 'string' } } },
              }
            : { description: 'Success (JSON, Sentry-compatible shape)' },
        ...(route.method === 'post' ? { '201': { description: 'Created' } } : {}),
        ...(route.method === 'delete' ? { '204': { description: 'Done; no content' } } : {}),
        ...(route.resource === 'public' ? { '302': { description: 'Redirect (sign-in step)' } } : {}),
        '400': { $ref: '#/components/responses/Error' },
        '401': { $ref: '#/components/responses/Error' },
        '403': { $ref: '#/components/responses/Error' },
        '404': { $ref: '#/components/responses/Error' },
        // A body in any media type but application/json (see json-body.ts).
        ...(route.body ? { '415': { $ref: '#/components/responses/Error' } } : {}),
      },
    };
    if (route.body) {
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: toSchema(route.body) } },
      };
    }
    paths[path] = { ...paths[path], [route.method]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Faultline REST API',
      version,
      description:
        "Sentry-compatible `/api/0` routes. Scripts authenticate with `Authorization: Bearer <token>`; people in a browser with the session cookie set at sign-in, and then send the `X-CSRF-Token` header on every write. A bearer token wins over a cookie. Each operation lists the credentials it accepts in `security` (none for public sign-in steps; only a session for a person's own sign-in and 2FA settings), names the scope it needs in `x-required-scope` and what it guards in `x-guarded-resource`. Anything the caller may not see answers 404, exactly like something missing; a missing scope answers 403.",
    },
    components: {
      securitySchemes: {
        bearerToken: {
          type: 'http',
          scheme: 'bearer',
          description:
            "An API token (user or organization token). Its scopes, intersected with the user's role, must include the operation's `x-required-scope`.",
        },
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'faultline_session',
          description:
            "The session cookie set by `POST /api/0/auth/login/` (named `__Host-faultline_session` when the server is reached over HTTPS). The signed-in person acts with their role's scopes.",
        },
        csrfToken: {
          type: 'apiKey',
          in: 'header',
          name: 'X-CSRF-Token',
          description:
            'Required with the session cookie on writes (any method but GET, HEAD, OPTIONS and TRACE): the `csrfToken` from the sign-in answer, also in the `faultline_csrf` cookie. Not needed with a bearer token. A wrong or missing one answers 403 `csrf_failed`.',
        },
      },
      responses: {
        Error: {
          description: 'What went wrong and what to fix',
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
    },
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
  };
}
