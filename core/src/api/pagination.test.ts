import assert from 'node:assert/strict';
import { z } from 'zod';
import { BadRequestError } from '../errors';
import { linkHeader, pageParams, pageRequest } from './pagination';
import { grantsScope } from './scopes';
import { parseInput } from './validation';

const pageQuery = z.object(pageParams);

describe('pagination', () => {
  it('starts at offset 0 with 25 rows', () => {
    assert.deepEqual(pageRequest(parseInput(pageQuery, {}, 'query parameter')), { offset: 0, limit: 25 });
  });

  it('reads the offset from a Sentry-style cursor and the size from limit or per_page', () => {
    assert.deepEqual(
      pageRequest(parseInput(pageQuery, { cursor: '0:50:0', limit: '10' }, 'query parameter')),
      {
        offset: 50,
        limit: 10,
      },
    );
    assert.deepEqual(pageRequest(parseInput(pageQuery, { per_page: '5' }, 'query parameter')), {
      offset: 0,
      limit: 5,
    });
  });

  it('refuses a malformed cursor or a limit over 100, naming the parameter', () => {
    assert.throws(() => parseInput(pageQuery, { cursor: 'abc' }, 'query parameter'), /`cursor`/);
    assert.throws(
      () => parseInput(pageQuery, { limit: '101' }, 'query parameter'),
      (error: unknown) => error instanceof BadRequestError && /`limit`/.test(error.message),
    );
  });

  it('links the previous and next pages with Sentry attributes, keeping other parameters', () => {
    const url = new URL('http://f.test/api/0/x/?query=is%3Aresolved&cursor=0%3A20%3A0');
    assert.equal(
      linkHeader(url, { offset: 20, limit: 10 }, true),
      '<http://f.test/api/0/x/?query=is%3Aresolved&cursor=0%3A10%3A1>; rel="previous"; results="true"; cursor="0:10:1", ' +
        '<http://f.test/api/0/x/?query=is%3Aresolved&cursor=0%3A30%3A0>; rel="next"; results="true"; cursor="0:30:0"',
    );
    assert.match(
      linkHeader(url, { offset: 0, limit: 10 }, false),
      /rel="previous"; results="false".*rel="next"; results="false"/,
    );
  });
});

describe('grantsScope', () => {
  it('grants a scope to itself and to stronger scopes of the same kind only', () => {
    assert.equal(grantsScope(['event:read'], 'event:read'), true);
    assert.equal(grantsScope(['event:admin'], 'event:read'), true);
    assert.equal(grantsScope(['event:write'], 'event:write'), true);
    assert.equal(grantsScope(['event:read'], 'event:write'), false);
    assert.equal(grantsScope(['project:admin', 'org:read'], 'event:read'), false);
    assert.equal(grantsScope([], 'org:read'), false);
  });
});
