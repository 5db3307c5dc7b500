import { z } from 'zod';
import { recordAudit } from '../../audit';
import {
  beginSsoLogin,
  callbackUrl,
  completeSsoLogin,
  createSsoServices,
  isLoopbackHttp,
  providerSettings,
  SSO_DEFAULT_ROLES,
  stateCookieName,
  type SsoProvider,
  type SsoServices,
} from '../../auth';
import { auditActor } from '../audit-actor';
import { route, type ApiRoute } from '../define-route';
import type { ApiDependencies } from '../dependencies';
import { applyCookies, clientInfo } from '../session-cookies';

const issuer = z
  .string()
  .trim()
  .url()
  .max(500)
  .refine((text) => {
    // zod runs refinements even after .url() failed: a non-URL is that check's 400, not a throw.
    if (!URL.canParse(text)) return false;
    const url = new URL(text);
    return url.protocol === 'https:' || isLoopbackHttp(url);
  }, 'must be an https URL (plain http only for a provider on this machine)')
  .transform((text) => text.replace(/\/+$/, ''));

const domain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, 'must be a domain such as example.com');

const ssoBody = z.strictObject({
  issuer,
  clientId: z.string().trim().min(1).max(500),
  /** Write-only: answers never include it. Omit it on an update to keep the stored one. */
  clientSecret: z.string().min(1).max(2000).optional(),
  allowedDomains: z.array(domain).max(50).default([]),
  defaultRole: z.enum(SSO_DEFAULT_ROLES).default('member'),
  enabled: z.boolean().default(true),
});

/**
 * Single sign-on (OpenID Connect) per organization: its settings (owners only, `org:admin`) and the
 * two public steps of signing in, which redirect the browser.
 */
export function ssoRoutes(deps: ApiDependencies): ApiRoute[] {
  const { knex, config } = deps;
  const publicUrl = config.http.publicUrl;
  // Built on first use: declaring routes (e.g. for the OpenAPI document) must not touch the services.
  let services: SsoServices | undefined;
  const sso = () => (services ??= createSsoServices({ knex, publicUrl, auth: deps.auth }));
  const describe = (slug: string, provider: SsoProvider | undefined) => ({
    configured: provider !== undefined,
    callbackUrl: callbackUrl(publicUrl, slug),
    loginUrl: `${publicUrl}/api/0/auth/sso/${encodeURIComponent(slug)}/login/`,
    provider: provider ? providerSettings(provider) : null,
  });

  return [
    route({
      method: 'get',
      path: '/api/0/organizations/:organization/sso/',
      scope: 'org:admin',
      resource: 'organization',
      summary:
        "The organization's OpenID Connect settings (never the client secret) and the callback URL to register at the provider",
      handler: async ({ target: { access } }) =>
        describe(access.organization.slug, await sso().providers.find(access.organization.id)),
    }),
    route({
      method: 'put',
      path: '/api/0/organizations/:organization/sso/',
      scope: 'org:admin',
      resource: 'organization',
      summary:
        'Sets up or changes single sign-on: issuer, client id, client secret (write-only), allowed email domains, default role of new members, enabled',
      body: ssoBody,
      handler: async ({ ctx, caller, target: { access }, body }) => {
        const saved = await knex.transaction(async (trx) => {
          const provider = await sso().providers.put(trx, access.organization.id, body);
          await recordAudit(trx, {
            organizationId: access.organization.id,
            actor: auditActor(ctx, caller),
            event: 'sso.edit',
            target: { type: 'sso', id: access.organization.id },
            data: { ...providerSettings(provider), secretChanged: body.clientSecret !== undefined },
          });
          return provider;
        });
        sso().discovery.forget();
        return describe(access.organization.slug, saved);
      },
    }),
    route({
      method: 'delete',
      path: '/api/0/organizations/:organization/sso/',
      scope: 'org:admin',
      resource: 'organization',
      summary: 'Removes single sign-on and the identities it linked; members and their accounts stay',
      handler: async ({ ctx, caller, target: { access } }) => {
        await knex.transaction(async (trx) => {
          if (!(await sso().providers.delete(trx, access.organization.id))) return;
          await recordAudit(trx, {
            organizationId: access.organization.id,
            actor: auditActor(ctx, caller),
            event: 'sso.edit',
            target: { type: 'sso', id: access.organization.id },
            data: { removed: true },
          });
        });
        return undefined;
      },
    }),
    route({
      method: 'get',
      path: '/api/0/auth/sso/:organization/login/',
      scope: null,
      resource: 'public',
      summary:
        "Starts signing in through the organization's OpenID provider: redirects there (authorization code with PKCE)",
      query: z.object({ next: z.string().max(2000).optional() }),
      handler: async ({ ctx, params, query }) => {
        const redirect = await beginSsoLogin(sso(), params.organization, query.next);
        applyCookies(ctx, redirect.cookies);
        ctx.redirect(redirect.location);
        return undefined;
      },
    }),
    route({
      method: 'get',
      path: '/api/0/auth/sso/:organization/callback/',
      scope: null,
      resource: 'public',
      summary:
        'Where the provider sends the browser back: checks state and ID token, joins the organization just in time, sets the session cookies and redirects',
      query: z.object({
        // Optional here so an organization without SSO answers 404 before anything else is checked.
        state: z.string().min(1).max(500).optional(),
        code: z.string().min(1).max(2000).optional(),
        error: z.string().max(200).optional(),
        error_description: z.string().max(2000).optional(),
      }),
      handler: async ({ ctx, params, query }) => {
        const signed = await completeSsoLogin(sso(), params.organization, {
          query,
          rawQuery: ctx.querystring,
          stateCookie: ctx.cookies.get(stateCookieName(publicUrl)),
          ...clientInfo(ctx),
        });
        applyCookies(ctx, signed.cookies);
        ctx.redirect(signed.location);
        return undefined;
      },
    }),
  ];
}
