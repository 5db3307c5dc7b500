import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isPostgresReachable } from '../core/src/testing/databases';
import { startSmtpServer, type TestSmtpServer } from '../core/src/testing/smtp';
import { waitFor } from './support/api';
import { ChildApp } from './support/child-app';
import { httpRequest } from './support/http';
import { startStack, type Stack } from './support/stack';

const WEBHOOK_SECRET = 'e2e-webhook-secret-0123456789abcdef';

interface Delivery {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on loopback that keeps every request. */
async function startReceiver(): Promise<{ url: string; received: Delivery[]; close(): Promise<void> }> {
  const received: Delivery[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/faultline`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Checks `Faultline-Signature: t=<unix>,v1=<hex>` as a receiver would: HMAC over `<t>.<body>`, fresh t. */
function signatureValid(header: string, body: string): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return false;
  const expected = createHmac('sha256', WEBHOOK_SECRET).update(`${match[1]}.${body}`).digest();
  return (
    Math.abs(Date.now() / 1000 - Number(match[1])) < 300 &&
    timingSafeEqual(Buffer.from(match[2], 'hex'), expected)
  );
}

/**
 * The issue's promise end to end, with real processes and real protocol peers: an unmodified
 * @sentry/node app reports an error; a "new issue" rule with two plugin actions fires; the webhook
 * receiver on loopback gets a correctly signed `alert.fired` payload and the SMTP server the mail.
 */
for (const kind of ['postgres', 'embedded'] as const) {
  describe(`alert rule → webhook and email, from a @sentry/node error [${kind}]`, function () {
    this.timeout(120_000);
    let stack: Stack | undefined;
    let smtp: TestSmtpServer;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;

    before(async function () {
      if (kind === 'postgres' && !(await isPostgresReachable())) this.skip();
      smtp = await startSmtpServer();
      receiver = await startReceiver();
      // The receiver is on loopback: only the installation may let plugins reach private addresses.
      // The SMTP server, too, is the installation's choice alone (PLUGIN_CONFIG_EMAIL).
      stack = await startStack(kind, {
        env: {
          PLUGINS_ALLOW_PRIVATE_NETWORKS: 'true',
          PLUGIN_CONFIG_EMAIL: JSON.stringify({ smtpUrl: smtp.url }),
        },
      });
    });

    after(async () => {
      await stack?.dispose();
      await receiver?.close();
      await smtp?.close();
    });

    async function api(method: string, path: string, body?: unknown) {
      const res = await httpRequest(`${stack!.baseUrl}/api/0${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${stack!.setup.token}`,
          'Content-Type': 'application/json',
          Accept: 'application/json',
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, json: () => res.json<Record<string, unknown>>(), text: res.text() };
    }

    it('fires a new-issue rule: signed webhook and an email with the issue', async () => {
      const { organization: org, project, dsn } = stack!.setup;

      // Built-in plugins are off until enabled; their config (with secrets) is set per organization.
      const webhooks = await api('PUT', `/organizations/${org}/plugins/webhooks/`, {
        enabled: true,
        config: { urls: [receiver.url], secret: WEBHOOK_SECRET },
      });
      assert.equal(webhooks.status, 200, webhooks.text);
      assert.ok(!webhooks.text.includes(WEBHOOK_SECRET), 'the secret is never echoed');
      // An organization sets its sender, not the SMTP server.
      const email = await api('PUT', `/organizations/${org}/plugins/email/`, {
        enabled: true,
        config: { from: 'faultline@example.com' },
      });
      assert.equal(email.status, 200, email.text);
      const aimed = await api('PUT', `/organizations/${org}/plugins/email/`, {
        config: { smtpUrl: 'smtp://10.0.0.1:25' },
      });
      assert.equal(aimed.status, 400, aimed.text);
      assert.match(aimed.text, /smtpUrl/);

      const rule = await api('POST', `/projects/${org}/${project}/rules/`, {
        name: 'Page on new issues',
        actionMatch: 'any',
        conditions: [{ id: 'issue.created' }],
        filters: [],
        actions: [
          { plugin: 'webhooks', config: {} },
          { plugin: 'email', config: { to: ['oncall@example.com'] } },
        ],
        frequency: 5,
      });
      assert.equal(rule.status, 201, rule.text);

      const app = new ChildApp('sentry-one-error-app.ts', { FAULTLINE_DSN: dsn });
      const { eventId } = await app.report('sent');
      await app.finished();
      assert.match(eventId, /^[0-9a-f]{32}$/);

      const delivery = await waitFor(
        'the alert webhook',
        async () => receiver.received.find((d) => d.headers['faultline-event'] === 'alert.fired'),
        { timeoutMs: 60_000, describe: () => `received ${receiver.received.length} requests` },
      );
      assert.equal(delivery.headers['content-type'], 'application/json');
      assert.ok(
        signatureValid(String(delivery.headers['faultline-signature']), delivery.body),
        'the signature verifies with the shared secret',
      );
      const payload = JSON.parse(delivery.body) as {
        id: string;
        event: string;
        alert: {
          id: string;
          rule: { name: string };
          project: { slug: string };
          issues: { trigger: string; issue: { title: string; shortId: string; permalink: string } }[];
        };
      };
      assert.equal(payload.event, 'alert.fired');
      // The delivery id is the alert's id: the same on a retry, for receivers to drop duplicates.
      assert.equal(payload.id, payload.alert.id);
      assert.equal(delivery.headers['faultline-delivery'], payload.alert.id);
      assert.equal(payload.alert.rule.name, 'Page on new issues');
      assert.equal(payload.alert.project.slug, project);
      assert.equal(payload.alert.issues.length, 1);
      const [alerted] = payload.alert.issues;
      assert.equal(alerted.trigger, 'issue.created');
      assert.match(alerted.issue.title, /RangeError: Invoice INV-7731 has a negative balance/);

      const mail = await waitFor(
        'the alert email',
        async () => smtp.inbox.find((m) => m.to.includes('oncall@example.com')),
        { timeoutMs: 60_000 },
      );
      assert.equal(mail.from, 'faultline@example.com');
      const raw = mail.raw.replace(/=\r?\n/g, ''); // undo quoted-printable soft line breaks
      assert.match(raw, /^Subject: .*\[Faultline\]/m);
      assert.match(raw, /Content-Type: text\/plain/);
      assert.match(raw, /Content-Type: text\/html/);
      assert.ok(raw.includes(alerted.issue.shortId), 'the mail names the issue');

      // The fire is in the rule's history, with both actions sent (a plugin that did not deliver
      // throws, so `sent` means delivered).
      const fires = await waitFor('both actions to be marked sent', async () => {
        const res = await api('GET', `/projects/${org}/${project}/rules/${String(rule.json().id)}/fires/`);
        const list = JSON.parse(res.text) as { actions: { plugin: string; status: string }[] }[];
        return list.length === 1 && list[0].actions.every((a) => a.status === 'sent') ? list : undefined;
      });
      assert.deepEqual(fires[0].actions.map((a) => a.plugin).sort(), ['email', 'webhooks']);
    });
  });
}
