import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from './index';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[]; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return {
    stream,
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('logger redaction', () => {
  it('replaces password, token, secret, authorization and cookie fields at any of the first levels', () => {
    const out = capture();
    const log = createLogger('info', out.stream);
    log.info(
      {
        password: 'hunter2-password',
        token: 'flt_plain_token',
        user: { email: 'a@example.com', secret: 'JBSWY3DPEHPK3PXP', newPassword: 'new-password-1' },
        req: {
          headers: {
            authorization: 'Bearer flt_header',
            cookie: 'faultline_session=fls_x',
            'set-cookie': 'a=b',
          },
        },
      },
      'signing in',
    );
    const text = out.text();
    for (const secret of [
      'hunter2-password',
      'flt_plain_token',
      'JBSWY3DPEHPK3PXP',
      'new-password-1',
      'flt_header',
      'fls_x',
      'a=b',
    ]) {
      assert.ok(!text.includes(secret), `${secret} leaked into the log`);
    }
    const [line] = out.lines();
    assert.equal(line.password, '[redacted]');
    assert.deepEqual(line.user, { email: 'a@example.com', secret: '[redacted]', newPassword: '[redacted]' });
    assert.equal((line.req as { headers: Record<string, string> }).headers.authorization, '[redacted]');
    assert.equal(line.msg, 'signing in');
  });

  it('leaves other fields alone', () => {
    const out = capture();
    createLogger('info', out.stream).info({ userId: 7, path: '/api/0/' }, 'ok');
    const [line] = out.lines();
    assert.equal(line.userId, 7);
    assert.equal(line.path, '/api/0/');
  });
});
