/**
 * Every registered route × every role × own and foreign resources × both ways of signing requests
 * (an all-scopes API token, a signed-in session with its CSRF token). The expected answer is derived
 * here, independently of the implementation, from Sentry's role → scope table, the visibility rule
 * (members and billing see only their teams' projects) and the route's declared rule.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import pino from 'pino';
import { defineIssueAction, definePlugin, z } from '@faultline/plugin-sdk';
import { AccountsRepository, ADMIN_SCOPES, hashToken } from '../accounts';
import { SecretBox } from '../auth';
import { loadConfig } from '../config';
import { IssueActions, PluginAdmin, PluginHost, PluginSettingsStore } from '../plugins';
import { insertToken } from '../tokens';
import { describeEachDatabase } from '../testing/databases';
import {
  errorEvent,
  seedAccount,
  startApiServer,
  storeEvents,
  type ApiServer,
  type Credential,
} from './api-test-kit';
import { checkRule, pathParams, type ApiRoute } from './define-route';
import { apiRoutes } from './index';

/** A loaded plugin, so the plugin settings routes have one to answer for. */
const MATRIX_PLUGIN = definePlugin({
  id: 'matrix',
  version: '1.0.0',
  hostVersion: '*',
  register: (env) =>
    env.registerInit({
      deps: {},
      init: () => ({
        hooks: {},
        // For the issue action routes: one action that does nothing.
        issueActions: [
          defineIssueAction({
            id: 'ping',
            label: 'Ping',
            input: z.object({}),
            run: () => ({ message: 'pong' }),
          }),
        ],
      }),
    }),
});

const MEMBER = [
  'org:read',
  'project:read',
  'project:releases',
  'team:read',
  'member:read',
  'event:read',
  'event:write',
  'event:admin',
];
const ADMIN = [...MEMBER, 'project:write', 'project:admin', 'team:write', 'team:admin'];
const MANAGER = [...ADMIN, 'member:write', 'member:admin', 'org:write'];

type Role = 'owner' | 'manager' | 'admin' | 'member-with-access' | 'member-without-access' | 'billing';
/** Weakest first, so the owner deleting the organization comes last. */
const ROLES: Role[] = ['billing', 'member-without-access', 'member-with-access', 'admin', 'manager', 'owner'];
const SCOPES_OF: Record<Role, string[]> = {
  owner: ADMIN_SCOPES,
  manager: MANAGER,
  admin: ADMIN,
  'member-with-access': MEMBER,
  'member-without-access': MEMBER,
  billing: ['org:read'],
};
const SEES_EVERY_PROJECT: Record<Role, boolean> = {
  owner: true,
  manager: true,
  admin: true,
  'member-with-access': true,
  'member-without-access': false,
  billing: false,
};

/** Parameters the central authorizer resolves; the others are looked up by handlers inside them. */
const AUTHORIZED_PARAMS = [
  'organization',
  'project',
  'team',
  'issue',
  'member',
  'keyId',
  'inviteId',
  'tokenId',
  'version',
];
const HANDLER_PARAMS = [
  'event',
  'shortId',
  'token',
  'ruleId',
  'pluginId',
  'comment',
  'linkId',
  'sessionId',
  'plugin',
  'action',
  'workspace',
];
/**
 * Bodies for routes a `{}` can't reach past validation with, though what they guard is decided after
 * it (a public route holding a capability in its path): without one, a foreign case would be a 400.
 */
const SAMPLE_BODIES: Record<string, unknown> = {
  '/api/0/accept-invite/:inviteId/:token/account/': { password: 'a matrix password' },
};
/** Parameters naming what is seen through a project (a release: through any of its projects). */
const PROJECT_PARAMS = ['project', 'issue', 'keyId', 'shortId', 'event', 'version'];

/**
 * Whether the route may answer 404 at all: every guarded route may (authorize.ts), a public one only
 * if it declares it (the contract check makes an undeclared one a 500). One that doesn't, like what
 * an organization's sign-in page offers, answers every organization alike, existing or not, so the
 * answer tells no one which exist.
 */
const mayAnswerMissing = (route: ApiRoute) => route.errors.includes(404);

type Outcome = 'allowed' | 403 | 404;
type Via = 'token' | 'session';
const VIAS: Via[] = ['token', 'session'];

function expectedOwn(route: ApiRoute, role: Role, via: Via): Outcome {
  // A public route naming an organization (SSO sign-in) answers as for a missing one: none has SSO
  // here; unless it answers every organization alike.
  if (route.resource === 'public')
    return pathParams(route.path).includes('organization') && mayAnswerMissing(route) ? 404 : 'allowed';
  // A person's own sign-in and second factor: sessions only, never API tokens.
  if (route.resource === 'session' || route.resource === 'signInSession')
    return via === 'session' ? 'allowed' : 403;
  if (route.resource === 'none' || route.resource === 'user') return 'allowed';
  if (route.scope === null) throw new Error(`${route.path} guards a ${route.resource} without a scope`);
  const params = pathParams(route.path);
  if (params.some((p) => PROJECT_PARAMS.includes(p)) && !SEES_EVERY_PROJECT[role]) return 404;
  if (!SCOPES_OF[role].includes(route.scope)) return 403;
  // Kept for integrations' tokens (none of the matrix's callers): past the authorizer, refused.
  return route.integration ? 403 : 'allowed';
}

function outcomeOf(status: number): Outcome | number {
  if (status === 403 || status === 404) return status;
  return status >= 200 && status < 500 && status !== 401 ? 'allowed' : status;
}

const routes = apiRoutes({ config: loadConfig({}) } as never);
const order = (r: ApiRoute) =>
  r.method !== 'delete' ? 0 : r.path === '/api/0/organizations/:organization/' ? 2 : 1;
const ordered = [...routes].sort((a, b) => order(a) - order(b));

describe('route authorization rules', () => {
  it('every registered route declares a valid rule (scope + resource)', () => {
    for (const route of routes) assert.doesNotThrow(() => checkRule(route), `${route.method} ${route.path}`);
  });
  it('refuses a route declared without a rule', () => {
    assert.throws(() => checkRule({ method: 'get', path: '/api/0/x/' }), /declares no valid scope/);
    assert.throws(
      () => checkRule({ method: 'get', path: '/api/0/x/', scope: 'org:read' }),
      /declares no valid resource/,
    );
    assert.throws(
      () => checkRule({ method: 'get', path: '/api/0/x/', scope: 'org:read', resource: 'project' }),
      /lacks :organization, :project/,
    );
    // Public and session routes are known by credentials alone: a scope there would be a false promise.
    for (const resource of ['public', 'session', 'signInSession'])
      assert.throws(
        () => checkRule({ method: 'post', path: '/api/0/x/', scope: 'org:read', resource }),
        /scope must be null/,
      );
    // An integration's token is an organization credential; a session route can't be kept for it.
    assert.throws(
      () =>
        checkRule({ method: 'get', path: '/api/0/x/', scope: null, resource: 'session', integration: true }),
      /not kept for integrations/,
    );
    assert.throws(
      () => checkRule({ method: 'get', path: '/api/0/x/', scope: null, resource: 'organization' }),
      /declares no valid scope/,
    );
  });
  it('every path parameter is one this matrix knows how to fill', () => {
    for (const route of routes)
      for (const p of pathParams(route.path))
        assert.ok([...AUTHORIZED_PARAMS, ...HANDLER_PARAMS].includes(p), `${route.path}: unknown :${p}`);
  });
});

describeEachDatabase('route × role × organization matrix', (ctx) => {
  let api: ApiServer;
  let knex: Knex;
  let accounts: AccountsRepository;
  /** An organization service token (no user), for CI. */
  const organizationToken = (organizationId: number, name: string) =>
    insertToken(knex, {
      owner: { organizationId },
      client: 'api',
      name,
      scopes: ['org:read'],
      createdByUserId: null,
    });
  const tokens = {} as Record<Role, string>;
  const userIds = {} as Record<Role, number>;
  let orgId: number;
  let teamId: number;
  let projectId: number;
  let own: Record<string, string>;
  let foreign: Record<string, string>;
  let counter = 0;

  async function invite(organizationId: number): Promise<{ id: string; token: string }> {
    const token = `invite-${++counter}`;
    const [row] = await knex('organization_invites')
      .insert({
        organization_id: organizationId,
        email: `invitee${counter}@x.io`,
        role: 'member',
        token_hash: hashToken(token),
        expires_at: new Date(Date.now() + 3600_000),
      })
      .returning('id');
    return { id: String(row.id), token };
  }

  async function member(organizationId: number, role = 'member'): Promise<number> {
    const user = await accounts.ensureUser(`m${++counter}@x.io`, false);
    const [row] = await knex('organization_members')
      .insert({ organization_id: organizationId, user_id: user.id, role })
      .returning('id');
    return row.id as number;
  }

  async function alertRule(inProject: number): Promise<string> {
    const [row] = await knex('alert_rules')
      .insert({
        project_id: inProject,
        name: `rule ${++counter}`,
        triggers: JSON.stringify([{ id: 'issue.created' }]),
        filters: '[]',
        actions: '[]',
      })
      .returning('id');
    return String(row.id);
  }

  async function comment(issueId: string, userId: number | null): Promise<string> {
    const [row] = await knex('issue_comments')
      .insert({ issue_id: Number(issueId), user_id: userId, text: `note ${++counter}` })
      .returning('id');
    return String(row.id);
  }

  /** A release of the project, its version with characters that must be percent-encoded in paths. */
  async function release(organizationId: number, inProject: number): Promise<string> {
    const version = `app@1.0.${++counter}+b#1?x%y`;
    const [row] = await knex('releases').insert({ organization_id: organizationId, version }).returning('id');
    await knex('release_projects').insert({ release_id: row.id, project_id: inProject });
    return version;
  }

  /** A Slack identity linked to the user in the organization (a route finds it among the caller's own). */
  async function linkedAccount(organizationId: number, userId: number): Promise<string> {
    const [row] = await knex('external_identities')
      .insert({
        organization_id: organizationId,
        provider: 'slack',
        external_workspace_id: 'T1',
        external_user_id: `U${++counter}`,
        user_id: userId,
      })
      .returning('id');
    return String(row.id);
  }

  /** Throw-away targets for routes that change memberships or delete, so the next case finds the world intact. */
  async function freshOwn(route: ApiRoute, role: Role): Promise<Record<string, string>> {
    const changesMembership = route.path.includes('/members/:member/teams/');
    if (route.method !== 'delete' && !changesMembership && !route.path.includes('accept-invite')) return {};
    const values: Record<string, string> = {};
    const params = pathParams(route.path);
    if (route.path === '/api/0/organizations/:organization/') {
      // A copy of acme with the same members, since each caller that may delete it does.
      const slug = `doomed-${++counter}`;
      const doomed = await accounts.ensureOrganization(slug, slug);
      const members: { user_id: number; role: string }[] = await knex('organization_members')
        .where('organization_id', orgId)
        .select('user_id', 'role');
      await knex('organization_members').insert(
        members.map((m) => ({ organization_id: doomed.id, user_id: m.user_id, role: m.role })),
      );
      values.organization = slug;
    }
    if (params.includes('member')) values.member = String(await member(orgId));
    if (params.includes('team') && route.method === 'delete') {
      const team = await accounts.ensureTeam(orgId, `t${++counter}`);
      await knex('project_teams').insert({ project_id: projectId, team_id: team.id });
      values.team = String(team.id);
    }
    if (params.includes('project') && route.path === '/api/0/projects/:organization/:project/') {
      const project = await accounts.ensureProject(orgId, teamId, `p${++counter}`, 'python');
      values.project = String(project.id);
    }
    if (params.includes('keyId')) {
      const [key] = await knex('project_keys')
        .insert({ project_id: projectId, public_key: `k${++counter}`.padEnd(32, '0'), secret_key_hash: 's' })
        .returning('public_key');
      values.keyId = key.public_key;
    }
    if (params.includes('ruleId') && route.method === 'delete') values.ruleId = await alertRule(projectId);
    if (params.includes('version') && route.method === 'delete')
      values.version = await release(orgId, projectId);
    // Only its author deletes a comment: each caller gets one of their own.
    if (params.includes('comment')) values.comment = await comment(own.issue, userIds[role]);
    if (params.includes('inviteId')) {
      const made = await invite(orgId);
      values.inviteId = made.id;
      values.token = made.token;
    }
    // A linked account is found among the caller's own: each caller gets one of theirs.
    if (params.includes('linkId')) values.linkId = await linkedAccount(orgId, userIds[role]);
    // Likewise a session: another of the caller's own (ending the one asking is signing out).
    if (params.includes('sessionId'))
      values.sessionId = String((await api.auth.sessions.create(userIds[role])).session.id);
    if (params.includes('tokenId')) {
      if (route.resource === 'user') {
        await accounts.createToken(userIds[role], 'victim', ['org:read']);
        const row = await knex('api_tokens')
          .where('user_id', userIds[role])
          .orderBy('id', 'desc')
          .first('id');
        values.tokenId = String(row.id);
      } else {
        values.tokenId = String((await organizationToken(orgId, 'victim')).row.id);
      }
    }
    return values;
  }

  /** The role's token, or a fresh session (routes like sign-out end the one they are given). */
  async function credentialOf(role: Role, via: Via): Promise<Credential> {
    if (via === 'token') return tokens[role];
    const { token, session } = await api.auth.sessions.create(userIds[role], { ip: '127.0.0.1' });
    return { session: token, csrf: session.csrfToken };
  }

  function pathOf(route: ApiRoute, values: Record<string, string>): string {
    return route.path.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => encodeURIComponent(values[name]));
  }

  before(async () => {
    knex = ctx.db.knex;
    accounts = new AccountsRepository(knex);
    const seeded = await seedAccount(knex, { organization: 'acme', project: 'app', email: 'owner@acme.io' });
    tokens.owner = seeded.token;
    userIds.owner = seeded.userId;
    projectId = seeded.projectId;
    await storeEvents(knex, projectId, [errorEvent({ type: 'TypeError', value: 'own failure' })]);
    const org = await accounts.ensureOrganization('acme', 'acme');
    orgId = org.id;
    teamId = (await accounts.ensureTeam(orgId, 'acme-team')).id;
    for (const role of ROLES.filter((r) => r !== 'owner')) {
      const user = await accounts.ensureUser(`${role}@acme.io`, false);
      userIds[role] = user.id;
      const orgRole = role.startsWith('member') ? 'member' : role;
      await accounts.ensureMember(orgId, user.id, orgRole);
      if (role === 'member-with-access') await accounts.ensureTeamMember(teamId, user.id);
      tokens[role] = await accounts.createToken(user.id, role, ADMIN_SCOPES);
    }

    const globex = await seedAccount(knex, {
      organization: 'globex',
      project: 'secret-app',
      email: 'eve@globex.io',
    });
    await storeEvents(knex, globex.projectId, [errorEvent({ type: 'ValueError', value: 'foreign failure' })]);
    const globexOrg = await accounts.ensureOrganization('globex', 'globex');
    const eventOf = async (id: number) =>
      String((await knex('events').where('project_id', id).first('event_id')).event_id);
    const ownEventId = await eventOf(projectId);
    const foreignEventId = await eventOf(globex.projectId);
    const foreignIssue = await knex('issues').where('project_id', globex.projectId).first('id', 'short_id');
    const ownIssue = await knex('issues').where('project_id', projectId).first('id', 'short_id');
    const foreignKey = await accounts.ensureProjectKey(globex.projectId);
    const ownKey = await accounts.ensureProjectKey(projectId);
    const foreignInvite = await invite(globexOrg.id);
    const ownInvite = await invite(orgId);
    const eveToken = await knex('api_tokens').where('user_id', globex.userId).first('id');
    foreign = {
      organization: 'globex',
      project: 'secret-app',
      team: 'globex-team',
      issue: String(foreignIssue.id),
      event: foreignEventId,
      shortId: `SECRET-APP-${foreignIssue.short_id}`,
      member: String(await member(globexOrg.id)),
      keyId: foreignKey.public_key,
      inviteId: foreignInvite.id,
      // An invitation link is a capability: with the right token anyone may accept it, so the
      // foreign case is a guessed token.
      token: `${foreignInvite.token}-guessed`,
      tokenId: String((await organizationToken(globexOrg.id, 'ci')).row.id),
      ruleId: await alertRule(globex.projectId),
      // Plugins are installation-wide: the foreign case is one that isn't loaded.
      pluginId: 'not-loaded',
      plugin: 'not-loaded',
      action: 'ping',
      workspace: 'T0GLOBEX',
      comment: await comment(String(foreignIssue.id), globex.userId),
      linkId: await linkedAccount(globexOrg.id, globex.userId),
      sessionId: '0',
      version: await release(globexOrg.id, globex.projectId),
    };
    own = {
      organization: 'acme',
      project: 'app',
      team: 'acme-team',
      issue: String(ownIssue.id),
      event: ownEventId,
      shortId: `APP-${ownIssue.short_id}`,
      member: String(await member(orgId)),
      keyId: ownKey.public_key,
      inviteId: ownInvite.id,
      token: ownInvite.token,
      tokenId: String((await organizationToken(orgId, 'ci')).row.id),
      foreignUserTokenId: String(eveToken.id),
      ruleId: await alertRule(projectId),
      pluginId: MATRIX_PLUGIN.id,
      plugin: MATRIX_PLUGIN.id,
      action: 'ping',
      workspace: 'T0ACME',
      comment: await comment(String(ownIssue.id), seeded.userId),
      linkId: await linkedAccount(orgId, seeded.userId),
      sessionId: '0',
      version: await release(orgId, projectId),
    };
    const plugins = await PluginHost.start([MATRIX_PLUGIN], { knex, log: pino({ level: 'silent' }) });
    api = await startApiServer(knex, {
      plugins: new PluginAdmin(plugins, new PluginSettingsStore(knex, new SecretBox(randomBytes(32)))),
      issueActions: new IssueActions(plugins, {
        knex,
        publicUrl: 'http://faultline.test',
        log: pino({ level: 'silent' }),
      }),
    });
  });

  after(async () => api?.close());

  for (const route of ordered) {
    it(`${route.method.toUpperCase()} ${route.path} [${route.scope} on ${route.resource}]`, async () => {
      const params = pathParams(route.path);
      const failures: string[] = [];
      const check = async (
        label: string,
        role: Role,
        via: Via,
        values: Record<string, string>,
        expected: Outcome,
      ) => {
        const answer = await api.request(
          route.method,
          pathOf(route, values),
          route.body ? (SAMPLE_BODIES[route.path] ?? {}) : undefined,
          await credentialOf(role, via),
        );
        const got = outcomeOf(answer.status);
        if (got !== expected)
          failures.push(
            `${label} as ${role} (${via}): expected ${expected}, got ${answer.status} ${JSON.stringify(answer.body)}`,
          );
      };
      for (const [role, via] of ROLES.flatMap((r) => VIAS.map((v) => [r, v] as const))) {
        if (params.length > 0) {
          // Another organization's resources: always exactly like missing ones.
          const foreignValues =
            route.resource === 'user' ? { ...foreign, tokenId: own.foreignUserTokenId } : foreign;
          // …unless the route takes a session and is called with a token: that is refused first.
          const credentialRefused = route.resource === 'session' && via === 'token';
          const foreignOutcome = !mayAnswerMissing(route) ? 'allowed' : credentialRefused ? 403 : 404;
          await check('foreign organization', role, via, foreignValues, foreignOutcome);
          // Own organization in the path, another organization's thing inside it.
          if (params.includes('organization') && params.length > 1) {
            const children = Object.fromEntries(
              params.filter((p) => p !== 'organization').map((p) => [p, foreign[p]]),
            );
            const resolvedByAuthorizer = params.some(
              (p) => p !== 'organization' && AUTHORIZED_PARAMS.includes(p),
            );
            const ownOutcome = expectedOwn(route, role, via);
            await check(
              'own organization, foreign child',
              role,
              via,
              { ...own, ...children },
              resolvedByAuthorizer || ownOutcome === 'allowed' ? 404 : ownOutcome,
            );
          }
        }
        await check(
          'own organization',
          role,
          via,
          { ...own, ...(await freshOwn(route, role)) },
          expectedOwn(route, role, via),
        );
      }
      assert.deepEqual(failures, []);
    });
  }
});
