import assert from 'node:assert/strict';
import { describeEachDatabase } from '../../testing/databases';
import { startApiServer, type ApiServer } from '../api-test-kit';

/**
 * The device endpoints live outside `route()`, so they run the contract check themselves: with
 * `checkAnswers` (every API test server), an answer or error their description doesn't declare
 * becomes a 500 and fails here.
 */
describeEachDatabase('OAuth device endpoints under the contract check', (ctx) => {
  let api: ApiServer;

  before(async () => {
    api = await startApiServer(ctx.db.knex);
  });
  after(() => api.close());

  const post = async (path: string, fields: Record<string, string>) => {
    const response = await fetch(`${api.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('answers the codes, then authorization_pending, in the shapes the description declares', async () => {
    const codes = await post('/oauth/device/code', { client_id: 'vscode', scope: 'event:read' });
    assert.equal(codes.status, 200, JSON.stringify(codes.body));
    assert.deepEqual(Object.keys(codes.body).sort(), [
      'device_code',
      'expires_in',
      'interval',
      'user_code',
      'verification_uri',
      'verification_uri_complete',
    ]);
    const pending = await post('/oauth/token', {
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      device_code: String(codes.body.device_code),
      client_id: 'vscode',
    });
    assert.equal(pending.status, 400);
    assert.equal(pending.body.error, 'authorization_pending');
  });

  it('answers declared RFC 6749 errors for an unknown client, grant type and a form sent as JSON', async () => {
    const unknownClient = await post('/oauth/device/code', { client_id: 'not-a-client' });
    assert.equal(unknownClient.status, 401);
    assert.equal(unknownClient.body.error, 'invalid_client');
    const grant = await post('/oauth/token', { grant_type: 'password', client_id: 'vscode' });
    assert.equal(grant.status, 400);
    assert.equal(grant.body.error, 'unsupported_grant_type');
    const json = await fetch(`${api.url}/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    assert.equal(json.status, 400);
    assert.equal(((await json.json()) as { error: string }).error, 'invalid_request');
  });
});
