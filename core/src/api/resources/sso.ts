import { z } from 'zod';
import { recordAudit } from '../../audit';
import {
  beginSsoLogin,
  callbackUrl,
  completeSsoLogin,
  confirmLinkAsSignedIn,
  confirmLinkWithPassword,
  createSsoServices,
  describePendingLink,
  isLoopbackHttp,
  providerSettings,
  SSO_DEFAULT_ROLES,
  ssoCookieName,
  ssoSignInOption,
  type SsoProvider,
  type SsoServices,
} from '../../auth';
import { auditActor } from '../audit-actor';
import { route, type ApiRoute } from '../define-route';
import type { ApiDependencies } from '../dependencies';
import { isoDate } from '../serializers/dates';
import { sentryUserSchema, serializeUser } from '../serializers/user';
import { applyCookies, clientInfo } from '../session-cookies';

const issuer = z
  .string()
  .trim()
  .url()
  .max(500)
  .refine((text) => {
    // zod runs this check even after .url() failed; that failure already names the problem.
    if (!URL.canParse(text)) return true;
    const url = new URL(text);
    return url.protocol === 'https:' || isLoopbackHttp(url);
  }, 'must be an https URL (plain http only for a provider on this machine)')
  .transform((text) => text.replace(/\/+$/, ''));

/** As on the password sign-in: long enough for any password, the code as the 2FA step takes it. */
const linkBody = z.strictObject({
  password: z.string().min(1).max(1024),
  code: z.string().trim().min(1).max(64).optional(),
});

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

/** An organization's single sign-on: where the provider must send people back, and its settings. */
const ssoSettingsSchema = z
  .strictObject({
    configured: z.boolean(),
    callbackUrl: z.string(),
    loginUrl: z.string(),
    provider: z
      .strictObject({
        issuer: z.string(),
        clientId: z.string(),
        allowedDomains: z.array(z.string()),
        defaultRole: z.enum(SSO_DEFAULT_ROLES),
        enabled: z.boolean(),
        createdAt: z.iso.datetime(),
        updatedAt: z.iso.datetime(),
      })
      .nullable(),
  })
  .meta({ id: 'SsoSettings' });

const pendingLinkSchema = z
  .strictObject({
    organization: z.strictObject({ slug: z.string(), name: z.string() }),
    email: z.string().describe('The existing account the identity would be linked to'),
    expiresAt: z.iso.datetime(),
  })
  .meta({ id: 'SsoPendingLink' });

const signInOptionsSchema = z
  .strictObject({
    sso: z
      .strictObject({
        providerName: z.string().describe("The provider as the button names it: its issuer's host"),
        loginUrl: z
          .string()
          .describe('Where the browser goes to sign in through it (add `?next=` to come back)'),
      })
      .nullable(),
  })
  .meta({ id: 'SignInOptions' });

/** Where a browser starts single sign-on with the organization, relative to the site. */
const loginPath = (slug: string) => `/api/0/auth/sso/${encodeURIComponent(slug)}/login/`;

const linkedFields = {
  joined: z.boolean(),
  location: z.string().describe('Where to send the browser now'),
};

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
  const describe = (slug: string, provider: SsoProvider | undefined): z.input<typeof ssoSettingsSchema> => {
    const settings = provider ? providerSettings(provider) : undefined;
    return {
      configured: provider !== undefined,
      callbackUrl: callbackUrl(publicUrl, slug),
      loginUrl: `${publicUrl}${loginPath(slug)}`,
      provider: settings
        ? { ...settings, createdAt: isoDate(settings.createdAt), updatedAt: isoDate(settings.updatedAt) }
        : null,
    };
  };

  return [
    route({
      method: 'get',
      path: '/api/0/organizations/:organization/sso/',
      scope: 'org:admin',
      resource: 'organization',
      summary:
        "The organization's OpenID Connect settings (never the client secret) and the callback URL to register at the provider",
      response: ssoSettingsSchema,
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
      response: ssoSettingsSchema,
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
      response: null,
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
      path: '/api/0/auth/sign-in/:organization/',
      scope: null,
      resource: 'public',
      summary:
        "What the organization's sign-in page offers besides the password: its single sign-on provider's name and where to start, or `sso: null`. An unknown organization answers as one without SSO (the answer reveals no short names); nothing else of the settings is shown",
      response: signInOptionsSchema,
      // No 404 declared: every organization is answered alike (the access matrix holds it to that).
      handler: async ({ params }) => {
        const option = await ssoSignInOption(sso(), params.organization);
        return {
          sso: option
            ? { providerName: option.providerName, loginUrl: loginPath(params.organization) }
            : null,
        };
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
      response: null,
      status: 302,
      errors: [403, 404],
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
      response: null,
      status: 302,
      errors: [401, 403, 404],
      handler: async ({ ctx, params, query }) => {
        const signed = await completeSsoLogin(sso(), params.organization, {
          query,
          rawQuery: ctx.querystring,
          stateCookie: ctx.cookies.get(ssoCookieName(publicUrl, 'state')),
          ...clientInfo(ctx),
        });
        applyCookies(ctx, signed.cookies);
        ctx.redirect(signed.location);
        return undefined;
      },
    }),
    route({
      method: 'get',
      path: '/api/0/auth/sso/link/',
      scope: null,
      resource: 'public',
      summary:
        'The single sign-on link waiting in this browser for confirmation: which organization, and which existing account (by email)',
      response: pendingLinkSchema,
      errors: [404],
      handler: async ({ ctx }) => {
        const pending = await describePendingLink(sso(), ctx.cookies.get(ssoCookieName(publicUrl, 'link')));
        return { ...pending, expiresAt: isoDate(pending.expiresAt) };
      },
    }),
    route({
      method: 'post',
      path: '/api/0/auth/sso/link/',
      scope: null,
      resource: 'public',
      summary:
        "Confirms the waiting single sign-on link with the existing account's password (and `code`, a TOTP or recovery code, when it has 2FA); links the identity, joins the organization and signs in",
      body: linkBody,
      response: z.strictObject({ user: sentryUserSchema, csrfToken: z.string(), ...linkedFields }),
      errors: [401, 403, 404, 429],
      handler: async ({ ctx, body }) => {
        const linked = await confirmLinkWithPassword(
          sso(),
          ctx.cookies.get(ssoCookieName(publicUrl, 'link')),
          {
            ...body,
            ...clientInfo(ctx),
          },
        );
        applyCookies(ctx, linked.cookies);
        return {
          user: serializeUser(linked.signedIn.user, linked.has2fa),
          csrfToken: linked.signedIn.session.csrfToken,
          joined: linked.joined,
          location: linked.location,
        };
      },
    }),
    route({
      method: 'post',
      path: '/api/0/auth/sso/link/signed-in/',
      scope: null,
      resource: 'session',
      summary:
        'Confirms the waiting single sign-on link as the signed-in person, who must be the account it names; links the identity and joins the organization',
      response: z.strictObject(linkedFields),
      handler: async ({ ctx, target: { user, session } }) => {
        const linked = await confirmLinkAsSignedIn(
          sso(),
          ctx.cookies.get(ssoCookieName(publicUrl, 'link')),
          { user, session },
          clientInfo(ctx),
        );
        applyCookies(ctx, linked.cookies);
        return { joined: linked.joined, location: linked.location };
      },
    }),
  ];
}
