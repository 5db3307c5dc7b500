import assert from 'node:assert/strict';
import {
  ALL_SCOPES,
  ROLE_SCOPES,
  canAssignRole,
  effectiveScopes,
  grantsScope,
  seesAllProjects,
  type OrganizationRole,
  type Scope,
} from './index';

describe('access rules', () => {
  describe('role scopes', () => {
    const cases: [OrganizationRole, Scope, boolean][] = [
      ['billing', 'org:read', true],
      ['billing', 'project:read', false],
      ['billing', 'event:read', false],
      ['member', 'event:write', true],
      ['member', 'event:admin', true],
      ['member', 'project:write', false],
      ['member', 'team:write', false],
      ['member', 'member:write', false],
      ['admin', 'project:admin', true],
      ['admin', 'team:admin', true],
      ['admin', 'member:write', false],
      ['admin', 'org:write', false],
      ['manager', 'member:admin', true],
      ['manager', 'org:write', true],
      ['manager', 'org:admin', false],
      ['owner', 'org:admin', true],
    ];
    for (const [role, scope, expected] of cases) {
      it(`${role} ${expected ? 'has' : 'lacks'} ${scope}`, () => {
        assert.equal(ROLE_SCOPES[role].includes(scope), expected);
      });
    }
    it('gives the owner every scope', () => {
      assert.deepEqual([...ROLE_SCOPES.owner].sort(), [...ALL_SCOPES].sort());
    });
  });

  describe('effective scopes = token scopes ∩ role scopes', () => {
    const cases: [string[], OrganizationRole, Scope[]][] = [
      [[...ALL_SCOPES], 'member', [...ROLE_SCOPES.member]],
      [['event:read'], 'owner', ['event:read']],
      // A stronger token scope grants the weaker role scopes of the same kind.
      [['event:admin'], 'member', ['event:read', 'event:write', 'event:admin']],
      [['project:admin'], 'billing', []],
      [['org:admin'], 'manager', ['org:read', 'org:write']],
      [[], 'owner', []],
    ];
    for (const [token, role, expected] of cases) {
      it(`[${token.join(' ') || 'none'}] as ${role} → [${expected.join(' ')}]`, () => {
        assert.deepEqual(effectiveScopes(token, role).sort(), [...expected].sort());
      });
    }
  });

  it('grants a weaker scope of the same kind only', () => {
    const cases: [string[], Scope, boolean][] = [
      [['event:admin'], 'event:read', true],
      [['event:read'], 'event:write', false],
      [['project:admin', 'org:read'], 'event:read', false],
    ];
    for (const [granted, required, expected] of cases) assert.equal(grantsScope(granted, required), expected);
  });

  it('lets a member assign only roles up to their own', () => {
    const cases: [OrganizationRole, OrganizationRole, boolean][] = [
      ['owner', 'owner', true],
      ['manager', 'owner', false],
      ['manager', 'manager', true],
      ['manager', 'member', true],
      ['admin', 'manager', false],
      ['member', 'billing', true],
    ];
    for (const [actor, role, expected] of cases) assert.equal(canAssignRole(actor, role), expected);
  });

  it('lets owners, managers and admins see every project', () => {
    const cases: [OrganizationRole, boolean][] = [
      ['owner', true],
      ['manager', true],
      ['admin', true],
      ['member', false],
      ['billing', false],
    ];
    for (const [role, expected] of cases) assert.equal(seesAllProjects(role), expected);
  });
});
