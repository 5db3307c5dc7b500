import type { Knex } from 'knex';
import { grantsScope, type Scope } from '../access';
import type { ProjectKey, User } from '../accounts';
import type { Session } from '../auth';
import { ForbiddenError } from '../errors';
import { findVisibleIssue, type IssueRow } from '../issues';
import { findVisibleRelease, type Release } from '../releases';
import {
  callerOrganizations,
  findCallerOrganization,
  findInvite,
  findMember,
  findProjectKey,
  findTeam,
  findVisibleProject,
  type InviteRow,
  type MemberRow,
  type OrganizationAccess,
  type ProjectRow,
  type TeamRow,
} from '../organizations';
import { findToken, type TokenRow } from '../tokens';
import type { ApiCaller } from './auth';

/**
 * What a route guards. `public`: nothing, the route takes no credentials (sign-in steps; it checks
 * what it is given itself); `session`: the account of a person signed in with a session cookie (API
 * tokens can't use it); `signInSession`: the same, also for a session still waiting for its second
 * factor; `none`: lists spanning the caller's organizations (filtered to those where
 * the caller holds the scope); `user`: the caller's own account (needs a user, not a service token);
 * everything else lives inside one organization, named in the path or found through the issue.
 */
export const RESOURCE_KINDS = [
  'public',
  'session',
  'signInSession',
  'none',
  'user',
  'organization',
  'team',
  'project',
  'issue',
  'release',
  'member',
  'projectTeam',
  'teamMember',
  'projectKey',
  'invite',
  'token',
] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** The path parameters each resource kind needs; the authorizer resolves each of them. */
export const RESOURCE_PARAMS: Readonly<Record<ResourceKind, readonly string[]>> = {
  public: [],
  session: [],
  signInSession: [],
  none: [],
  user: [],
  organization: ['organization'],
  team: ['organization', 'team'],
  project: ['organization', 'project'],
  issue: ['issue'],
  release: ['organization', 'version'],
  member: ['organization', 'member'],
  projectTeam: ['organization', 'project', 'team'],
  teamMember: ['organization', 'member', 'team'],
  projectKey: ['organization', 'project', 'keyId'],
  invite: ['organization', 'inviteId'],
  token: ['organization', 'tokenId'],
};

/** Kinds whose callers are identified by credentials alone, so they declare no scope. */
export const CREDENTIAL_KINDS: readonly ResourceKind[] = ['public', 'session', 'signInSession'];

/** Everything the authorizer found while resolving the path; a handler reads what its kind guarantees. */
export interface Target {
  /** Every organization the caller reaches and holds the route's scope in (`none` routes). */
  accesses: OrganizationAccess[];
  user?: User;
  session?: Session;
  access?: OrganizationAccess;
  team?: TeamRow;
  project?: ProjectRow;
  issue?: IssueRow;
  release?: Release;
  member?: MemberRow;
  projectKey?: ProjectKey;
  invite?: InviteRow;
  token?: TokenRow;
}

type Guaranteed = {
  public: never;
  session: 'user' | 'session';
  signInSession: 'user' | 'session';
  none: never;
  user: 'user';
  organization: 'access';
  team: 'access' | 'team';
  project: 'access' | 'project';
  issue: 'access' | 'issue';
  release: 'access' | 'release';
  member: 'access' | 'member';
  projectTeam: 'access' | 'project' | 'team';
  teamMember: 'access' | 'member' | 'team';
  projectKey: 'access' | 'project' | 'projectKey';
  invite: 'access' | 'invite';
  token: 'access' | 'token';
};

/** The target as a handler of a route guarding `R` sees it: what `R` needs is always there. */
export type TargetOf<R extends ResourceKind> = Target & Required<Pick<Target, Guaranteed[R]>>;

/** What the authorizer needs besides the caller: the database and the 2FA state of users. */
export interface AuthorizeEnv {
  knex: Knex;
  userHas2FA: (userId: number) => Promise<boolean>;
}

export interface Rule {
  resource: ResourceKind;
  /** Null only for the credential kinds (`public`, `session`, `signInSession`). */
  scope: Scope | null;
  what: string;
}

/**
 * The one authorization check, run before every route: resolve each path parameter inside what the
 * caller may see (404, the same answer as for something missing, so nothing leaks), then require the
 * route's scope among the caller's effective scopes there (403 naming the scope). A person without
 * 2FA gets 403 on everything of an organization that requires it.
 */
export async function authorize(
  env: AuthorizeEnv,
  caller: ApiCaller,
  rule: Rule,
  params: Record<string, string>,
): Promise<Target> {
  const { knex } = env;
  const target: Target = { accesses: [] };
  if (rule.resource === 'public') return target;
  if (rule.resource === 'session' || rule.resource === 'signInSession') {
    if (!caller.session || !caller.user) {
      throw new ForbiddenError(
        `${rule.what} needs a signed-in session (sign in with your password); API tokens can't use it`,
        'session_required',
      );
    }
    target.user = caller.user;
    target.session = caller.session;
    return target;
  }
  const scope = rule.scope;
  if (scope === null) throw new Error(`${rule.what} guards a ${rule.resource} but declares no scope`);
  if (rule.resource === 'none') {
    requireTokenScope(caller, { scope, what: rule.what });
    const granted = (await callerOrganizations(knex, caller)).filter((a) => grantsScope(a.scopes, scope));
    // Organizations that require 2FA the caller lacks are left out of lists, as if unreachable.
    const open = await Promise.all(granted.map((a) => twoFactorSatisfied(env, caller, a)));
    target.accesses = granted.filter((_, i) => open[i]);
    return target;
  }
  if (rule.resource === 'user') {
    if (caller.actingFor) {
      throw new ForbiddenError(
        `An integration acting for a linked user can't use ${rule.what}: a person's own account and credentials are theirs to manage`,
        'acting_for_user',
      );
    }
    if (!caller.user) {
      throw new ForbiddenError(
        `An organization token acts for no user, so it can't use ${rule.what}`,
        'user_required',
      );
    }
    requireTokenScope(caller, { scope, what: rule.what });
    target.user = caller.user;
    return target;
  }
  if (params.organization !== undefined) {
    target.access = await findCallerOrganization(knex, caller, params.organization);
  }
  // `shortId` (APP-3) names an issue too.
  const issueRef = params.issue ?? params.shortId;
  if (issueRef !== undefined) {
    const found = await findVisibleIssue(knex, caller, issueRef, target.access);
    target.access = found.access;
    target.issue = found.issue;
  }
  const access = target.access;
  if (!access) throw new Error(`${rule.what} guards a ${rule.resource} but names no organization or issue`);
  // Checked once the organization is known to be the caller's, so it reveals nothing of others.
  if (!(await twoFactorSatisfied(env, caller, access))) {
    throw new ForbiddenError(
      `Organization ${access.organization.slug} requires two-factor authentication: enable it for your account (POST /api/0/users/me/2fa/totp/) to reach its resources`,
      '2fa_required',
    );
  }
  if (params.team !== undefined) target.team = await findTeam(knex, access, params.team);
  if (params.project !== undefined) target.project = await findVisibleProject(knex, access, params.project);
  // A release belongs to the organization but is seen through its projects, like an issue.
  if (params.version !== undefined) target.release = await findVisibleRelease(knex, access, params.version);
  if (params.member !== undefined)
    target.member = await findMember(knex, access, caller.user?.id, params.member);
  if (params.keyId !== undefined && target.project)
    target.projectKey = await findProjectKey(knex, target.project, params.keyId);
  if (params.inviteId !== undefined) target.invite = await findInvite(knex, access, params.inviteId);
  if (params.tokenId !== undefined)
    target.token = await findToken(knex, { organizationId: access.organization.id }, params.tokenId);
  if (!grantsScope(access.scopes, scope)) {
    const who = caller.session
      ? `your role (${access.role})`
      : access.role
        ? `your role (${access.role}) and token`
        : 'this organization token';
    throw new ForbiddenError(
      `${rule.what} requires the scope ${scope}, which ${who} do not grant in organization ${access.organization.slug}`,
      'missing_scope',
    );
  }
  if (caller.user) target.user = caller.user;
  return target;
}

/** Organization service tokens act for no person, so the organization's 2FA rule doesn't bind them. */
async function twoFactorSatisfied(
  env: AuthorizeEnv,
  caller: ApiCaller,
  access: OrganizationAccess,
): Promise<boolean> {
  if (!access.organization.require_2fa || !caller.user || access.role === null) return true;
  return env.userHas2FA(caller.user.id);
}

function requireTokenScope(caller: ApiCaller, rule: { scope: Scope; what: string }): void {
  if (!grantsScope(caller.scopes, rule.scope)) {
    throw new ForbiddenError(
      `This token lacks the scope ${rule.scope}, which ${rule.what} requires`,
      'missing_scope',
    );
  }
}
