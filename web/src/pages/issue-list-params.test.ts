import assert from 'node:assert/strict';
import { apiQuery, readParams, withParams } from './issue-list-params';

describe('issue list URL state', () => {
  it('reads the tab, query, project and cursor from the URL; an unknown tab is the unresolved one', () => {
    assert.deepEqual(
      readParams(
        new URLSearchParams(
          'project=app&status=regressed&query=level:error&environment=prod&sort=freq&cursor=0:25:0',
        ),
      ),
      {
        project: 'app',
        status: 'regressed',
        query: 'level:error',
        environment: 'prod',
        sort: 'freq',
        cursor: '0:25:0',
      },
    );
    assert.equal(readParams(new URLSearchParams('status=sideways')).status, 'unresolved');
    assert.equal(
      readParams(new URLSearchParams('sort=random')).sort,
      'date',
      'an unknown order is last seen',
    );
  });

  it("asks the API for the tab's is: condition followed by what was typed", () => {
    assert.equal(
      apiQuery(readParams(new URLSearchParams('status=resolved&query=TypeError'))),
      'is:resolved TypeError',
    );
    assert.equal(apiQuery(readParams(new URLSearchParams(''))), 'is:unresolved');
  });

  it('starts a changed search at its first page, and keeps the default tab out of the URL', () => {
    const current = readParams(new URLSearchParams('project=app&query=x&cursor=0:25:0'));
    assert.equal(withParams(current, { query: 'y' }).toString(), 'project=app&query=y');
    assert.equal(
      withParams(current, { cursor: '0:50:0' }).toString(),
      'project=app&query=x&cursor=0%3A50%3A0',
    );
    assert.equal(
      withParams(current, { status: 'archived' }).toString(),
      'project=app&status=archived&query=x',
    );
    assert.equal(
      withParams(current, { sort: 'new', environment: 'staging' }).toString(),
      'project=app&query=x&environment=staging&sort=new',
    );
    assert.equal(
      withParams(current, { sort: 'date' }).toString(),
      'project=app&query=x',
      'last seen is the default',
    );
  });
});
