import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { IntegrationClient } from '@faultline/plugin-sdk';
import { isScope, type Scope } from '../access';
import type { ApiCaller } from './auth';
import {
  authorize,
  CREDENTIAL_KINDS,
  RESOURCE_KINDS,
  RESOURCE_PARAMS,
  type AuthorizeEnv,
  type ResourceKind,
  type Target,
  type TargetOf,
} from './authorize';
import { assertCleanUrl } from './clean-input';
import { callerIntegration } from './integration-caller';
import {
  assertAnswerDeclared,
  assertErrorDeclared,
  errorStatuses,
  type DeclaredAnswers,
  type ErrorStatus,
} from './contract';
import { readJsonBody } from './json-body';
import { parseInput } from './validation';

export type HttpMethod = 'get' | 'post' | 'put' | 'delete';

/** What a handler receives: validated query and body, path parameters, the caller and what it may reach. */
export interface ApiRequest<Query, Body, R extends ResourceKind, I extends boolean = false> {
  ctx: Context;
  /** Null on `public` routes, which read no credentials. */
  caller: R extends 'public' ? null : ApiCaller;
  /** The integration whose token called, on routes declared `integration: true`; null on others. */
  integration: I extends true ? IntegrationClient : null;
  params: Record<string, string>;
  /** What the authorizer resolved from the path, already checked against the caller. */
  target: TargetOf<R>;
  query: Query;
  body: Body;
}

/** Unknown query parameters are ignored, as Sentry does. */
const NO_QUERY = z.object({});

/**
 * What a successful answer carries: a zod schema of its JSON body, or `null` for none (204 No
 * Content, or the 302 of a redirecting route). For a `text/event-stream` route, the schema of each
 * event's `data`.
 */
export type ResponseSchema = z.ZodType | null;

/**
 * What the handler must return for a declared response: the JSON body's input type, nothing for a
 * route without a body, the stream itself for an event stream.
 */
type AnswerOf<Res extends ResponseSchema, P, N> = P extends 'text/event-stream'
  ? NodeJS.ReadableStream
  : Res extends z.ZodType
    ? z.input<Res> | (N extends true ? undefined : never)
    : undefined;

export interface RouteSpec<
  Query extends z.ZodType,
  Body extends z.ZodType,
  R extends ResourceKind,
  Res extends ResponseSchema,
  P extends 'text/event-stream' | undefined = undefined,
  N extends boolean = false,
  I extends boolean = false,
> {
  method: HttpMethod;
  /** Koa router path, Sentry style with a trailing slash (which clients may leave out). */
  path: string;
  /**
   * The scope the caller needs, in the organization of the resource (or on its token, for `none`/`user`);
   * null exactly for the credential kinds (`public`, `session`, `signInSession`).
   */
  scope: R extends CredentialKind ? null : Scope;
  /** What the route guards; the authorizer resolves it from the path parameters. */
  resource: R;
  /**
   * Only an integration's organization token (client `slack` or `github`) may call the route, for
   * the integration's own bookkeeping in its organization; past the authorizer, every other
   * credential gets 403 `integration_required` before anything else is looked at.
   */
  integration?: I;
  summary: string;
  query?: Query;
  /** Routes without a body schema don't read the body. */
  body?: Body;
  /**
   * Required, so no route answers something it doesn't describe: the successful answer's body (see
   * `ResponseSchema`). The OpenAPI description, the generated client and the contract check in the
   * tests all read it.
   */
  response: Res;
  /**
   * Error answers (`{detail, code}`) this route gives beyond those every route of its kind may give
   * (see `errorStatuses` in contract.ts), e.g. 409 for a taken slug.
   */
  errors?: readonly ErrorStatus[];
  /** Returns the JSON answer; `undefined` answers 204 No Content, unless the handler redirected. */
  handler: (request: ApiRequest<z.output<Query>, z.output<Body>, R, I>) => Promise<AnswerOf<Res, P, N>>;
  /**
   * The route also answers 204 No Content when it has nothing to say (its handler then returns
   * nothing), as Sentry's bulk issue update does when no issue matched.
   */
  orNoContent?: N;
  /**
   * The status of a successful answer (default 200, or 204 for a route without a response body;
   * 302 for a route that always redirects, setting the location itself).
   */
  status?: 200 | 201 | 202 | 302;
  /** A route answering with a stream of Server-Sent Events instead of JSON. */
  produces?: P;
}

/** Kinds whose callers are known by their credentials alone (or by none), so they declare no scope. */
type CredentialKind = 'public' | 'session' | 'signInSession';

/** What every route runs with: the authorizer's lookups, and how long a request body may stall. */
export interface RouteEnv extends AuthorizeEnv {
  /** A client that sends no byte of a body for this long gets a 408 (unset: no limit). */
  bodyIdleTimeoutMs?: number;
  /**
   * Tests turn this on: every answer is checked against its route's declaration, and one that
   * doesn't match becomes a 500 naming the mismatch (see contract.ts). Off in production, where it
   * would cost a schema walk per answer and only tell us what the tests should have.
   */
  checkAnswers?: boolean;
}

/** A declared route with its types erased: what the router and an API description need. */
export interface ApiRoute extends DeclaredAnswers {
  method: HttpMethod;
  path: string;
  /** Null for the credential kinds (`public`, `session`, `signInSession`). */
  scope: Scope | null;
  resource: ResourceKind;
  /** Kept for integration tokens (see `RouteSpec.integration`). */
  integration: boolean;
  summary: string;
  query: z.ZodType;
  body: z.ZodType | undefined;
  produces?: 'text/event-stream';
  /** Authorizes, validates the request and runs the handler; authentication happened before (none for `public`). */
  run(ctx: Context, caller: ApiCaller | null, env: RouteEnv): Promise<unknown>;
}

/** The `:name` parameters of a Koa path. */
export function pathParams(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]);
}

/**
 * Refuses a declaration without a complete authorization rule, so a route can't be added
 * unguarded: a known scope, a known resource kind, and the path parameters that resource needs.
 */
export function checkRule(rule: {
  method: string;
  path: string;
  scope?: unknown;
  resource?: unknown;
  integration?: boolean;
}): void {
  const what = `${rule.method.toUpperCase()} ${rule.path}`;
  if ((CREDENTIAL_KINDS as readonly unknown[]).includes(rule.resource)) {
    // An integration's token is an organization credential: it reaches organization resources.
    if (rule.integration)
      throw new Error(`${what} guards ${String(rule.resource)}, not kept for integrations`);
    if (rule.scope !== null)
      throw new Error(
        `${what} guards ${String(rule.resource)}, known by credentials alone, so its scope must be null`,
      );
    return;
  }
  if (typeof rule.scope !== 'string' || !isScope(rule.scope))
    throw new Error(`${what} declares no valid scope (${String(rule.scope)})`);
  if (typeof rule.resource !== 'string' || !(RESOURCE_KINDS as readonly string[]).includes(rule.resource))
    throw new Error(`${what} declares no valid resource (${String(rule.resource)})`);
  const params = pathParams(rule.path).map((p) => (p === 'shortId' ? 'issue' : p));
  const needed = RESOURCE_PARAMS[rule.resource as ResourceKind];
  const missing = needed.filter(
    (p) => !params.includes(p) && !(p === 'organization' && params.includes('issue')),
  );
  if (missing.length > 0)
    throw new Error(`${what} guards a ${rule.resource} but lacks :${missing.join(', :')}`);
}

/** Declares a route: its path, authorization rule (scope + resource), and its zod schemas. */
export function route<
  R extends ResourceKind,
  Res extends ResponseSchema,
  Query extends z.ZodType = typeof NO_QUERY,
  Body extends z.ZodType = z.ZodUndefined,
  P extends 'text/event-stream' | undefined = undefined,
  N extends boolean = false,
  I extends boolean = false,
>(spec: RouteSpec<Query, Body, R, Res, P, N, I>): ApiRoute {
  checkRule(spec);
  if (spec.status === 302 && spec.response !== null)
    throw new Error(`${spec.method.toUpperCase()} ${spec.path} redirects, so it declares no response body`);
  const querySchema = spec.query ?? NO_QUERY;
  const what = `${spec.method.toUpperCase()} ${spec.path}`;
  return {
    method: spec.method,
    path: spec.path,
    scope: spec.scope,
    resource: spec.resource,
    integration: spec.integration === true,
    summary: spec.summary,
    produces: spec.produces,
    query: querySchema,
    body: spec.body,
    response: spec.response,
    status: spec.status ?? (spec.response === null ? 204 : 200),
    orNoContent: spec.orNoContent === true,
    errors: errorStatuses(spec),
    run: async (ctx, caller, env) => {
      const target = (
        caller === null
          ? publicTarget(spec.resource, what)
          : await authorize(env, caller, { resource: spec.resource, scope: spec.scope, what }, ctx.params)
      ) as TargetOf<R>;
      const integration = (spec.integration && caller ? callerIntegration(caller, what) : null) as ApiRequest<
        z.output<Query>,
        z.output<Body>,
        R,
        I
      >['integration'];
      const query = parseInput(querySchema, ctx.query, 'query parameter') as z.output<Query>;
      const body = (
        spec.body
          ? parseInput(spec.body, await readJsonBody(ctx.req, env.bodyIdleTimeoutMs), 'body field')
          : undefined
      ) as z.output<Body>;
      const answer = await spec.handler({
        ctx,
        caller: caller as ApiRequest<z.output<Query>, z.output<Body>, R, I>['caller'],
        integration,
        params: ctx.params,
        target,
        query,
        body,
      });
      if (answer !== undefined && spec.status) ctx.status = spec.status;
      return answer;
    },
  };
}

/** A public route reaches nothing through the authorizer; anything else without a caller is a bug. */
function publicTarget(resource: ResourceKind, what: string): Target {
  if (resource !== 'public') throw new Error(`${what} guards a ${resource} but was run without a caller`);
  return { accesses: [] };
}

/** Finds who is calling a route of the given kind (401/429 when that fails). */
export type Authenticate = (ctx: Context, resource: ResourceKind) => Promise<ApiCaller | null>;

/**
 * Registers routes on the router, enforcing in one place, for every route: a URL the database can
 * take (400: no NUL, UTF-8 escapes), valid credentials (401),
 * then its authorization rule (404 for what the caller can't see, 403 for a missing scope), then
 * its query and body schemas (400).
 */
export function registerRoutes(
  router: Router,
  routes: ApiRoute[],
  authenticate: Authenticate,
  env: RouteEnv,
): void {
  for (const apiRoute of routes) {
    checkRule(apiRoute);
    const answerRoute = async (ctx: Context) => {
      assertCleanUrl(ctx);
      const caller = await authenticate(ctx, apiRoute.resource);
      const answer = await apiRoute.run(ctx, caller, env);
      // A handler that redirected (sign-in steps) keeps its 302.
      if (answer !== undefined) ctx.body = answer;
      else if (!isRedirect(ctx.status)) ctx.status = 204;
    };
    // Registered without the trailing slash: the router then matches the path with or without it.
    const path = apiRoute.path.replace(/\/$/, '');
    if (!env.checkAnswers) {
      router[apiRoute.method](path, answerRoute);
      continue;
    }
    router[apiRoute.method](path, async (ctx: Context) => {
      try {
        await answerRoute(ctx);
      } catch (error) {
        assertErrorDeclared(apiRoute, error);
        throw error;
      }
      assertAnswerDeclared(apiRoute, ctx.status, ctx.body);
    });
  }
}

function isRedirect(status: number): boolean {
  return status >= 300 && status < 400;
}
