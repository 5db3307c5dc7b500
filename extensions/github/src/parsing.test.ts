import assert from 'node:assert/strict';
import { shortIdsFixedBy } from './commits';
import { rateLimitWait } from './client';
import { parseIssueReference } from './links';
import { frameLink, releaseCommit, webUrlOf } from './source-links';

describe('github extension: reading commit messages, references, rate limits and frames', () => {
  it('finds the short ids a commit message fixes, closes or resolves, and only those', () => {
    const cases: [string, string[]][] = [
      ['fixes API-12', ['API-12']],
      ['Round totals\n\nCloses: web-app-3, resolves BACKEND-9', ['WEB-APP-3', 'BACKEND-9']],
      ['Fixed API-1 and fixed API-1 again', ['API-1']],
      ['mentions API-12 without a closing word', []],
      ['prefixes API-12', []],
    ];
    for (const [message, expected] of cases) assert.deepEqual(shortIdsFixedBy(message), expected, message);
  });

  it('reads a GitHub issue from its URL, owner/name#n, or #n in the default repository', () => {
    assert.deepEqual(parseIssueReference('https://github.com/acme/api/issues/12'), {
      repository: 'acme/api',
      number: 12,
    });
    assert.deepEqual(parseIssueReference('acme/web#3'), { repository: 'acme/web', number: 3 });
    assert.deepEqual(parseIssueReference('#7', 'acme/api'), { repository: 'acme/api', number: 7 });
    assert.equal(parseIssueReference('#7'), undefined);
    assert.equal(parseIssueReference('https://github.com/acme/api'), undefined);
  });

  it("reads how long GitHub's rate limit answers ask to wait", () => {
    const now = 1_700_000_000_000;
    const failure = (status: number, headers: Record<string, string>, message = 'x') => ({
      status,
      message,
      response: { headers },
    });
    assert.equal(rateLimitWait(failure(429, { 'retry-after': '30' }), now), 30);
    assert.equal(
      rateLimitWait(
        failure(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 90) }),
        now,
      ),
      90,
    );
    assert.equal(rateLimitWait(failure(403, {}, 'You have exceeded a secondary rate limit'), now), 60);
    assert.equal(rateLimitWait(failure(403, {}, 'Resource not accessible by integration'), now), undefined);
    assert.equal(rateLimitWait(failure(502, {}), now), undefined);
  });

  it('links a frame to its line through the first code mapping that covers it', () => {
    const mappings = [{ stackRoot: '/srv/app/', sourceRoot: 'services/api/', branch: 'main' }];
    const frame = { abs_path: '/srv/app/src/pay.ts', lineno: 42 };
    assert.equal(
      frameLink('https://github.com', 'acme/api', mappings, frame),
      'https://github.com/acme/api/blob/main/services/api/src/pay.ts#L42',
    );
    assert.equal(
      frameLink('https://github.com', 'acme/api', mappings, frame, 'abc1234'),
      'https://github.com/acme/api/blob/abc1234/services/api/src/pay.ts#L42',
    );
    assert.equal(
      frameLink('https://github.com', 'acme/api', mappings, { abs_path: '/usr/lib/node.js' }),
      undefined,
    );
    assert.equal(
      frameLink('https://github.com', 'acme/api', mappings, { abs_path: '/srv/app/../etc/passwd' }),
      undefined,
    );
    assert.equal(releaseCommit('checkout@0123abc'), '0123abc');
    assert.equal(releaseCommit('2.4.0'), undefined);
    assert.equal(webUrlOf('https://api.github.com'), 'https://github.com');
    assert.equal(webUrlOf('https://git.acme.corp/api/v3'), 'https://git.acme.corp');
  });
});
