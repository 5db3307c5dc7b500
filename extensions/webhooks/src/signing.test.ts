import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { computeSignature, signatureHeader, verifySignature } from './signing';

describe('webhook signing', () => {
  const secret = 'whsec_0123456789abcdef';
  const body = '{"event":"issue.created"}';

  it('is HMAC-SHA256 over "<timestamp>.<body>" in a t=…,v1=… header', () => {
    const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    assert.equal(computeSignature(secret, 1700000000, body), expected);
    assert.equal(signatureHeader(secret, 1700000000, body), `t=1700000000,v1=${expected}`);
  });

  it('verifies a fresh signature and rejects a changed body, a wrong secret or an old timestamp', () => {
    const header = signatureHeader(secret, 1700000000, body);
    assert.ok(verifySignature(header, body, secret, { now: 1700000010 }));
    assert.ok(!verifySignature(header, body + ' ', secret, { now: 1700000010 }));
    assert.ok(!verifySignature(header, body, 'another-secret-value', { now: 1700000010 }));
    assert.ok(!verifySignature(header, body, secret, { now: 1700000000 + 301 }));
    assert.ok(!verifySignature(undefined, body, secret));
    assert.ok(!verifySignature('t=abc,v1=00', body, secret));
  });
});
