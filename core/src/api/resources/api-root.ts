import { z } from 'zod';
import { RateLimiter } from '../../auth';
import { TOKEN_FAILURE_LIMIT, TokenAuthenticator } from '../auth';
import { route, type ApiRoute } from '../define-route';
import type { ApiDependencies } from '../dependencies';

const tokenInfoSchema = z
  .strictObject({
    user: z
      .strictObject({ id: z.string(), email: z.string(), name: z.string().nullable() })
      .nullable()
      .describe('The person the token acts for; null for an organization token or no token'),
    auth: z
      .strictObject({ scopes: z.array(z.string()) })
      .nullable()
      .describe('Null without a token'),
  })
  .meta({ id: 'TokenInfo' });

/** Sentry's API root: what the token sent acts for (`sentry-cli info` checks its token with it). */
export function apiRootRoutes({ knex }: ApiDependencies): ApiRoute[] {
  // Bad tokens count against the same per-address limit (kept in the database) as on other routes.
  const tokens = new TokenAuthenticator(knex, Date.now, new RateLimiter(knex, TOKEN_FAILURE_LIMIT));
  return [
    route({
      method: 'get',
      path: '/api/0/',
      scope: null,
      // Public: answered without a token too (then both fields are null), as Sentry does.
      resource: 'public',
      summary: 'What the bearer token acts for: its user and scopes',
      response: tokenInfoSchema,
      errors: [401, 429],
      handler: async ({ ctx }) => {
        const header = ctx.get('Authorization');
        if (!header) return { user: null, auth: null };
        const caller = await tokens.authenticate(header, ctx.ip);
        return {
          user: caller.user && {
            id: String(caller.user.id),
            email: caller.user.email,
            name: caller.user.name,
          },
          auth: { scopes: caller.scopes },
        };
      },
    }),
  ];
}
