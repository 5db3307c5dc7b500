import assert from 'node:assert/strict';
import { parseIssueSearch } from '../query/parse';
import type { IssueSearchRequest } from '../port';
import { exactToken, tagToken, textToken } from './schema';
import { NotExpressible, translate } from './translate';

const NOW = new Date('2026-12-01T00:00:00Z');

function request(query: string, window: Partial<IssueSearchRequest> = {}): IssueSearchRequest {
  return {
    organizationIds: [7],
    projectIds: [3, 4],
    expression: parseIssueSearch(query, { userId: 9, now: NOW }),
    sort: 'date',
    limit: 25,
    offset: 0,
    ...window,
  };
}

describe('Typesense translation of a search', () => {
  const cases: [string, string][] = [
    ['is:unresolved', 'status:=[`unresolved`]'],
    ['!browser.name:Chrome', `tags:!=[\`${tagToken('browser.name', 'Chrome')}\`]`],
    ['customer:"a, b && c`"', `tags:=[\`${tagToken('customer', 'a, b && c`')}\`]`],
    ['user.id:42', `tags:=[\`${tagToken('user', 'id:42')}\`]`],
    ['has:customer', `tag_keys:=[\`${exactToken('customer')}\`]`],
    ['!(level:error OR timesSeen:>10)', '(level:!=[`error`] && times_seen:<=10)'],
    ['is:unassigned', '(assigned_user_id:=0 && assigned_team_id:=0)'],
    ['assigned:me', 'assigned_user_id:=9'],
    ['age:-24h', `first_seen:>=${NOW.getTime() - 86_400_000}`],
    ['error.type:TypeError', `error_type:=[\`${textToken('typeerror')}\`]`],
    ['firstRelease:App@2.0', `first_release:=[\`${textToken('app@2.0')}\`]`],
  ];
  for (const [query, filter] of cases) {
    it(`writes ${query} as ${filter}, after the caller's organizations and projects`, () => {
      assert.equal(
        translate(request(query)).filter_by,
        `organization_id:=[7] && project_id:=[3, 4] && ${filter}`,
      );
    });
  }

  it('sends one free-text word to q as a prefix, and sorts with the id as tie-breaker', () => {
    const query = translate(request('undef level:error', { sort: 'freq' }));
    assert.equal(query.q, 'undef');
    assert.equal(query.query_by, 'title,culprit,message');
    assert.equal(query.sort_by, 'times_seen:desc,issue_id:desc');
    assert.equal(translate(request('')).q, '*');
  });

  it('finds the page that holds the window', () => {
    assert.deepEqual(pick(translate(request('', { limit: 25, offset: 50 }))), {
      page: 3,
      per_page: 25,
      skip: 0,
    });
    assert.deepEqual(pick(translate(request('', { limit: 26, offset: 25 }))), {
      page: 1,
      per_page: 51,
      skip: 25,
    });
  });

  it('refuses what it cannot write the Postgres way', () => {
    for (const query of [
      'title:foo',
      'browser.name:Ch*',
      'release:latest',
      'is:linked',
      'two words',
      '"a phrase"',
      'app-3',
      'a OR level:error',
    ]) {
      assert.throws(() => translate(request(query)), NotExpressible, query);
    }
    assert.throws(() => translate(request('', { limit: 200, offset: 150 })), NotExpressible);
  });
});

function pick(query: { page: number; per_page: number; skip: number }) {
  return { page: query.page, per_page: query.per_page, skip: query.skip };
}
