import assert from 'node:assert/strict';
import { BadRequestError, RateLimitedError } from './index';

describe('typed errors', () => {
  it('carry status, code and retry headers', () => {
    const bad = new BadRequestError('Envelope header is not valid JSON', 'invalid_envelope');
    assert.equal(bad.status, 400);
    assert.equal(bad.code, 'invalid_envelope');
    assert.equal(bad.name, 'BadRequestError');
    const limited = new RateLimitedError('Too many events', 7);
    assert.equal(limited.headers['Retry-After'], '7');
  });
});
