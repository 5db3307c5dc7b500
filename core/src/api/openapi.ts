import { z } from 'zod';
import { errorAnswerSchema } from '../http';
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

/**
 * A zod schema as JSON Schema. Requests are described as a client sends them (`io: 'input'`, before
 * defaults and transforms apply), answers as the server sends them. Schemas named with
 * `.meta({ id })` (Issue, Project…) are moved to `components.schemas` and referenced, so the
 * generated client has one type per name.
 */
function toSchema(schema: z.ZodType, io: 'input' | 'output', named: Record<string, JsonSchema>): JsonSchema {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  const defs = (json.$defs ?? {}) as Record<string, JsonSchema>;
  delete json.$defs;
  for (const [id, def] of Object.entries(defs)) named[id] = componentRefs(def) as JsonSchema;
  return componentRefs(json) as JsonSchema;
}

/** Rewrites zod's `#/$defs/Name` references to the document's `#/components/schemas/Name`. */
function componentRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(componentRefs);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      key === '$ref' && typeof inner === 'string'
        ? inner.replace(/^#\/\$defs\//, '#/components/schemas/')
        : componentRefs(inner),
    ]),
  );
}

const ERROR_RESPONSE = { $ref: '#/components/responses/Error' };

/** The declared answers of a route: its success (with its body's schema), then its errors. */
function responsesFor(route: ApiRoute, named: Record<string, JsonSchema>): Record<string, unknown> {
  const success =
    route.produces === 'text/event-stream'
      ? {
          description:
            "A stream of Server-Sent Events that stays open; each event's `data` is JSON in the schema under `x-event-data`",
          content: { 'text/event-stream': { schema: { type: 'string' } } },
          ...(route.response ? { 'x-event-data': toSchema(route.response, 'output', named) } : {}),
        }
      : route.status === 302
        ? { description: 'Redirect: the next step is at the `Location` header' }
        : route.response === null
          ? { description: 'Done; no content' }
          : {
              description: route.status === 201 ? 'Created' : route.status === 202 ? 'Accepted' : 'Success',
              content: { 'application/json': { schema: toSchema(route.response, 'output', named) } },
            };
  return {
    [String(route.status)]: success,
    ...(route.orNoContent ? { '204': { description: 'Nothing matched; no content' } } : {}),
    ...Object.fromEntries(route.errors.map((status) => [String(status), ERROR_RESPONSE])),
  };
}

function queryParameters(schema: z.ZodType, named: Record<string, JsonSchema>): OpenApiParameter[] {
  const json = toSchema(schema, 'input', named);
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
  const named: Record<string, JsonSchema> = {};
  for (const route of routes) {
    const { path, params } = openApiPath(route.path);
    const operation: Record<string, unknown> = {
      summary: route.summary,
      security: securityFor(route),
      'x-required-scope': route.scope,
      'x-guarded-resource': route.resource,
      parameters: [
        ...params.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
        ...queryParameters(route.query, named),
      ],
      responses: responsesFor(route, named),
    };
    if (route.body) {
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: toSchema(route.body, 'input', named) } },
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
            'application/json': { schema: toSchema(errorAnswerSchema, 'output', named) },
          },
        },
      },
      schemas: Object.fromEntries(Object.entries(named).sort(([a], [b]) => a.localeCompare(b))),
    },
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
  };
}
