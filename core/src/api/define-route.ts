import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { ForbiddenError } from '../errors';
import type { ApiCaller, TokenAuthenticator } from './auth';
import { readJsonBody } from './json-body';
import { grantsScope, type Scope } from './scopes';
import { parseInput } from './validation';

export type HttpMethod = 'get' | 'put';

/** What a handler receives: validated query and body, path parameters and the authenticated caller. */
export interface ApiRequest<Query, Body> {
  ctx: Context;
  caller: ApiCaller;
  params: Record<string, string>;
  query: Query;
  body: Body;
}

/** Unknown query parameters are ignored, as Sentry does. */
const NO_QUERY = z.object({});

export interface RouteSpec<Query extends z.ZodType, Body extends z.ZodType> {
  method: HttpMethod;
  /** Koa router path, Sentry style with a trailing slash (which clients may leave out). */
  path: string;
  /** The scope a token needs for this route. */
  scope: Scope;
  summary: string;
  query?: Query;
  /** Routes without a body schema don't read the body. */
  body?: Body;
  /** Returns the JSON answer; `undefined` answers 204 No Content. */
  handler: (request: ApiRequest<z.output<Query>, z.output<Body>>) => Promise<unknown>;
}

/** A declared route with its types erased: what the router and an API description need. */
export interface ApiRoute {
  method: HttpMethod;
  path: string;
  scope: Scope;
  summary: string;
  query: z.ZodType;
  body: z.ZodType | undefined;
  /** Validates the request and runs the handler; authentication and scope are checked before. */
  run(ctx: Context, caller: ApiCaller): Promise<unknown>;
}

/** Declares a route: its path, required scope, and the zod schemas its query and body must satisfy. */
export function route<Query extends z.ZodType = typeof NO_QUERY, Body extends z.ZodType = z.ZodUndefined>(
  spec: RouteSpec<Query, Body>,
): ApiRoute {
  const querySchema = spec.query ?? NO_QUERY;
  return {
    method: spec.method,
    path: spec.path,
    scope: spec.scope,
    summary: spec.summary,
    query: querySchema,
    body: spec.body,
    run: async (ctx, caller) => {
      const query = parseInput(querySchema, ctx.query, 'query parameter') as z.output<Query>;
      const body = (
        spec.body ? parseInput(spec.body, await readJsonBody(ctx.req), 'body field') : undefined
      ) as z.output<Body>;
      return spec.handler({ ctx, caller, params: ctx.params, query, body });
    },
  };
}

/**
 * Registers routes on the router, enforcing in one place, for every route: a valid token (401),
 * then the route's scope (403), then its query and body schemas (400).
 */
export function registerRoutes(router: Router, routes: ApiRoute[], authenticator: TokenAuthenticator): void {
  for (const apiRoute of routes) {
    // Registered without the trailing slash: the router then matches the path with or without it.
    router[apiRoute.method](apiRoute.path.replace(/\/$/, ''), async (ctx: Context) => {
      const caller = await authenticator.authenticate(ctx.get('Authorization') || undefined);
      if (!grantsScope(caller.scopes, apiRoute.scope)) {
        throw new ForbiddenError(
          `This token lacks the scope ${apiRoute.scope}, which ${apiRoute.method.toUpperCase()} ${apiRoute.path} requires`,
          'missing_scope',
        );
      }
      const answer = await apiRoute.run(ctx, caller);
      if (answer === undefined) ctx.status = 204;
      else ctx.body = answer;
    });
  }
}
