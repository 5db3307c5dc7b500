import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { startTestHost, type TestHost } from '@faultline/plugin-sdk/testing';
import { SIGNATURE_HEADER, verifySignature, type WebhookPayload } from './index';

const SECRET = 'a-webhook-secret-of-some-length';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * The webhooks extension tested as a third party's plugin is: through the test host from the SDK,
 * loaded from its folder (its built `main`) on a thread of its own, as an installation loads it.
 */
describe('webhooks extension on the plugin test host', function () {
  this.timeout(120_000);
  let host: TestHost;
  let receiver: http.Server;
  const received: Received[] = [];

  before(async () => {
    receiver = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    host = await startTestHost({
      plugins: [path.resolve(__dirname, '..')],
      config: { webhooks: { urls: [url], secret: SECRET } },
      // The receiver is on loopback, which plugins may not reach unless the installation says so.
      settings: { PLUGINS_ALLOW_PRIVATE_NETWORKS: 'true' },
    });
  });

  after(async () => {
    await host?.close();
    receiver?.close();
  });

  it('POSTs a signed issue.created webhook for a new issue, then issue.state_changed when resolved', async () => {
    await host.sendEvent({ message: 'Payment declined', level: 'error' });
    await host.waitForIdle();
    assert.equal(received.length, 1);
    const [created] = received;
    assert.equal(created.headers['faultline-event'], 'issue.created');
    assert.ok(verifySignature(String(created.headers[SIGNATURE_HEADER.toLowerCase()]), created.body, SECRET));
    assert.ok(
      !verifySignature(String(created.headers[SIGNATURE_HEADER.toLowerCase()]), created.body, 'x'.repeat(31)),
    );
    const payload = JSON.parse(created.body) as WebhookPayload;
    assert.equal(payload.event, 'issue.created');
    assert.equal(payload.issue?.summary?.title, 'Payment declined');
    assert.equal(created.headers['faultline-delivery'], payload.id);

    const answer = await host.api(`/api/0/issues/${payload.issue!.id}/`, {
      method: 'PUT',
      body: JSON.stringify({ status: 'resolved' }),
    });
    assert.equal(answer.status, 200, await answer.text());
    await host.waitForIdle();
    const changed = received
      .map((r) => JSON.parse(r.body) as WebhookPayload)
      .find((p) => p.event === 'issue.state_changed');
    assert.deepEqual([changed?.change?.from, changed?.change?.to], ['unresolved', 'resolved']);
    assert.deepEqual((await host.failures('webhooks')).counts, {
      processEvent: 0,
      hook: 0,
      alert: 0,
      task: 0,
    });
  });
});
