import assert from 'node:assert/strict';
import { grants } from './scopes';

describe('web: what the caller may be offered', () => {
  it('a scope is granted by itself and by a stronger one of its kind, never by a weaker one', () => {
    assert.equal(grants(['project:write'], 'project:write'), true);
    assert.equal(grants(['project:admin'], 'project:write'), true);
    assert.equal(grants(['project:read'], 'project:write'), false);
    assert.equal(grants(['org:admin'], 'project:write'), false);
    assert.equal(grants([], 'org:read'), false);
  });
});
