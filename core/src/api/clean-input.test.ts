import assert from 'node:assert/strict';
import { describeEachDatabase } from '../testing/databases';
import { errorEvent, seedAccount, startApiServer, storeEvents, type ApiServer } from './api-test-kit';

/** What a client gets for input the database can't store: a 400 naming the parameter, never a 500. */
describeEachDatabase('REST API input the database cannot store', (ctx) => {
  let api: ApiServer;
  let token: string;
  let issueId: string;

  before(async () => {
    api = await startApiServer(ctx.db.knex);
    const seeded = await seedAccount(ctx.db.knex, {
      organization: 'acme',
      project: 'app',
      email: 'o@acme.io',
    });
    token = seeded.token;
    await storeEvents(ctx.db.knex, seeded.projectId, [errorEvent({ type: 'Error', value: 'boom' })]);
    const issues = (await api.get('/api/0/organizations/acme/issues/', token)).body as { id: string }[];
    issueId = issues[0].id;
  });
  after(() => api.close());

  /** Sends raw bytes, so a test can send what JSON.stringify never would. */
  const raw = async (method: string, path: string, body?: Buffer | string) => {
    const res = await fetch(`${api.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body,
    });
    return { status: res.status, body: (await res.json()) as { detail: string; code: string } };
  };

  const cases: [string, string, string, Buffer | string | undefined, RegExp][] = [
    [
      'NUL in a path parameter',
      'GET',
      '/api/0/organizations/ac%00me/',
      undefined,
      /path parameter `organization`.*NUL/,
    ],
    [
      'NUL in a query parameter',
      'GET',
      '/api/0/organizations/acme/issues/?query=a%00b',
      undefined,
      /query parameter `query`.*NUL/,
    ],
    [
      'percent-escapes that are not UTF-8',
      'GET',
      '/api/0/organizations/acme/issues/?query=a%ffb',
      undefined,
      /not UTF-8/,
    ],
    [
      'NUL in a body string',
      'PUT',
      '/api/0/organizations/acme/',
      '{"name":"a\\u0000b"}',
      /body field `name`.*NUL/,
    ],
    [
      'NUL in a body key',
      'PUT',
      '/api/0/organizations/acme/',
      '{"na\\u0000me":"x"}',
      /body field `na\\u0000me`.*NUL/,
    ],
    [
      'a body that is not UTF-8',
      'PUT',
      '/api/0/organizations/acme/',
      Buffer.from('{"name":"a\xffb"}', 'latin1'),
      /not valid UTF-8/,
    ],
    [
      'JSON nested 5,000 deep',
      'PUT',
      '/api/0/organizations/acme/',
      `{"name":${'['.repeat(5000)}${']'.repeat(5000)}}`,
      /nested deeper than 64/,
    ],
  ];
  for (const [what, method, path, body, detail] of cases) {
    it(`answers ${what} with a 400 naming it`, async () => {
      const answer = await raw(method, path, body);
      assert.equal(answer.status, 400, JSON.stringify(answer.body));
      assert.match(answer.body.detail, detail);
    });
  }

  it('refuses NUL in comment text and assignedTo, and stores nothing', async () => {
    const comment = await raw('POST', `/api/0/issues/${issueId}/comments/`, '{"text":"hi \\u0000"}');
    assert.equal(comment.status, 400);
    assert.match(comment.body.detail, /`text`/);
    const assign = await raw('PUT', `/api/0/issues/${issueId}/`, '{"assignedTo":"a\\u0000"}');
    assert.equal(assign.status, 400);
    assert.match(assign.body.detail, /`assignedTo`/);
    const comments = (await api.get(`/api/0/issues/${issueId}/comments/`, token)).body as unknown[];
    assert.equal(comments.length, 0);
  });

  it('answers an SSO issuer that is not a URL with a 400 naming it', async () => {
    const answer = await raw(
      'PUT',
      '/api/0/organizations/acme/sso/',
      JSON.stringify({ issuer: 'not a url', clientId: 'x', clientSecret: 'y' }),
    );
    assert.equal(answer.status, 400, JSON.stringify(answer.body));
    assert.match(answer.body.detail, /`issuer`/);
  });

  it('still takes the same requests without the bad characters', async () => {
    assert.equal((await raw('PUT', '/api/0/organizations/acme/', '{"name":"Acme é 💥"}')).status, 200);
    assert.equal((await raw('GET', '/api/0/organizations/acme/issues/?query=100%25%20é')).status, 200);
  });
});
