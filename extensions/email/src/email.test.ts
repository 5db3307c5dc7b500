import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { AlertedIssue, AlertNotification } from '@faultline/plugin-sdk';
import { startTestHost, type TestHost } from '@faultline/plugin-sdk/testing';

const FROM = 'Faultline <alerts@faultline.test>';
/** The extension's folder: loaded from its built `main` on a thread of its own, as `PLUGINS` loads it. */
const PLUGIN = path.resolve(__dirname, '..');

interface ReceivedMail {
  /** The SMTP envelope: who the server was told the mail is from and for. */
  from: string;
  to: string[];
  mail: ParsedMail;
}

/** A real SMTP server on loopback (smtp-server) that keeps what it receives, parsed by mailparser. */
async function startInbox(): Promise<{ url: string; inbox: ReceivedMail[]; close(): Promise<void> }> {
  const inbox: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          inbox.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            mail,
          });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as net.AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    inbox,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function alertedIssue(shortId: string, title: string, reason: string): AlertedIssue {
  return {
    trigger: 'issue.created',
    reason,
    firedAt: new Date().toISOString(),
    issue: {
      id: '1',
      projectId: '1',
      shortId,
      title,
      culprit: 'src/checkout.ts in charge',
      level: 'error',
      status: 'unresolved',
      assignedTo: null,
      firstSeen: new Date().toISOString(),
      lastSeen: new Date().toISOString(),
      count: 3,
      userCount: 2,
      permalink: `http://127.0.0.1:9/organizations/mail/issues/${shortId}/`,
    },
  };
}

/** A notification as an alert rule's firing carries it, for the test host's project. */
function notification(
  host: TestHost,
  issues: AlertedIssue[],
  config: Record<string, unknown>,
): AlertNotification {
  return {
    id: `fire-${issues.length}-${Date.now()}`,
    rule: { id: '5', name: 'Checkout <alerts>' },
    project: { id: host.project.id, slug: 'shop', name: 'Shop' },
    organization: { id: '1', slug: 'mail' },
    digest: issues.length > 1,
    issues,
    config,
  };
}

function header(mail: ParsedMail, name: string): string | undefined {
  const value = mail.headers.get(name);
  return typeof value === 'string' ? value : undefined;
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  return [field ?? []].flat().flatMap((a) => a.value.map((v) => v.address ?? ''));
}

/**
 * The email extension tested as a third party's plugin is: through the SDK's test host, loaded from
 * its folder, its alert action called as an alert job calls it (`runAlert`) or by a real alert rule,
 * sending to a real SMTP server on loopback.
 */
describe('email extension on the plugin test host', function () {
  this.timeout(120_000);
  let smtp: Awaited<ReturnType<typeof startInbox>>;
  /** Hosts started by a test, closed after it. */
  const hosts: TestHost[] = [];

  before(async () => {
    smtp = await startInbox();
  });
  after(() => smtp?.close());
  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((host) => host.close()));
  });

  /** The plugin listed in PLUGINS, with this PLUGIN_CONFIG_EMAIL: on for every project. */
  async function listed(config: object, settings: Record<string, string> = {}): Promise<TestHost> {
    const host = await startTestHost({ plugins: [PLUGIN], config: { email: config }, settings });
    hosts.push(host);
    return host;
  }

  function nextMail(before: number): ReceivedMail {
    assert.equal(smtp.inbox.length, before + 1, 'exactly one mail was received');
    return smtp.inbox[before];
  }

  it('sends one mail with a plain-text and an escaped HTML part to the action recipients', async () => {
    const host = await listed({ smtpUrl: smtp.url, from: FROM });
    const config = { to: ['oncall@mail.test', 'lead@mail.test'] };
    const before = smtp.inbox.length;
    const alert = notification(
      host,
      [alertedIssue('SHOP-1', 'TypeError: <b>Größe</b> is undefined', 'New issue')],
      config,
    );
    await host.runAlert('email', alert);

    const received = nextMail(before);
    assert.equal(received.from, 'alerts@faultline.test');
    assert.deepEqual(received.to, ['oncall@mail.test', 'lead@mail.test']);
    const { mail } = received;
    assert.equal(mail.subject, '[Faultline] shop: TypeError: <b>Größe</b> is undefined');
    assert.equal(mail.from?.text, '"Faultline" <alerts@faultline.test>');
    assert.deepEqual(addresses(mail.to), ['oncall@mail.test', 'lead@mail.test']);
    assert.equal(header(mail, 'x-faultline-alert-id'), alert.id);
    assert.equal(mail.messageId, `<alert.${alert.id}@faultline.test>`);
    assert.equal(header(mail, 'auto-submitted'), 'auto-generated');
    const contentType = mail.headers.get('content-type') as { value: string } | undefined;
    assert.equal(contentType?.value, 'multipart/alternative');

    const text = mail.text;
    assert.ok(text, 'has a plain-text part');
    assert.ok(text.includes('Alert rule "Checkout <alerts>" fired in Shop (mail/shop).'));
    assert.ok(text.includes('SHOP-1  TypeError: <b>Größe</b> is undefined'));
    assert.ok(text.includes('  in src/checkout.ts in charge'));
    assert.ok(text.includes('  New issue · level error'));
    assert.ok(text.includes('  3 events · 2 users'));
    assert.ok(text.includes('http://127.0.0.1:9/organizations/mail/issues/SHOP-1/'));

    const html = mail.html;
    assert.ok(html, 'has an HTML part');
    assert.ok(!html.includes('<b>Größe</b>'), 'the title is not markup');
    assert.ok(html.includes('TypeError: &lt;b&gt;Größe&lt;/b&gt; is undefined'));
    assert.ok(html.includes('Checkout &lt;alerts&gt;'));
    assert.ok(html.includes('href="http://127.0.0.1:9/organizations/mail/issues/SHOP-1/"'));

    // The same host: a digest is one mail listing each issue, with the action's subject prefix.
    const digest = notification(
      host,
      [
        alertedIssue('SHOP-2', 'RangeError: bad quantity', 'New issue'),
        alertedIssue('SHOP-3', 'Error: card declined', 'Seen 120 times in 5 minutes'),
      ],
      { to: ['oncall@mail.test'], subjectPrefix: '[shop prod]' },
    );
    await host.runAlert('email', digest);
    const listing = nextMail(before + 1).mail;
    assert.equal(listing.subject, '[shop prod] shop: 2 issues');
    assert.ok(listing.text?.includes('fired 2 times in Shop'));
    assert.ok(listing.text?.includes('SHOP-2  RangeError: bad quantity'));
    assert.ok(listing.text?.includes('SHOP-3  Error: card declined'));
    assert.ok(listing.text?.includes('  Seen 120 times in 5 minutes · level error'));
    assert.equal((listing.html || '').match(/<tr>/g)?.length, 2);
    assert.equal((await host.failures('email')).counts.alert, 0);
  });

  it('mails when a real alert rule fires, and refuses a rule whose action has no valid recipients', async () => {
    const host = await listed({ smtpUrl: smtp.url, from: FROM });
    const rules = `/api/0/projects/${host.organization.slug}/${host.project.slug}/rules/`;
    const rule = (to: unknown[]) =>
      host.api(rules, {
        method: 'POST',
        body: JSON.stringify({
          name: 'New issues',
          conditions: [{ id: 'issue.created' }],
          actions: [{ plugin: 'email', config: { to } }],
        }),
      });
    const empty = await rule([]);
    assert.equal(empty.status, 400);
    assert.match(await empty.text(), /config invalid: to /);
    const bad = await rule(['not-an-address']);
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /config invalid: to\.0 /);

    const created = await rule(['oncall@mail.test']);
    assert.equal(created.status, 201, await created.text());
    const before = smtp.inbox.length;
    await host.sendEvent({ message: 'Payment declined', level: 'error' });
    await host.waitForIdle();
    const received = nextMail(before);
    assert.deepEqual(received.to, ['oncall@mail.test']);
    assert.equal(received.mail.subject, `[Faultline] ${host.project.slug}: Payment declined`);
    assert.ok(received.mail.text?.includes('Payment declined'));
  });

  it('throws when the SMTP server cannot be reached, so the alert job retries', async () => {
    const down = await startInbox();
    await down.close();
    const host = await listed({ smtpUrl: down.url, from: FROM });
    await assert.rejects(
      host.runAlert(
        'email',
        notification(host, [alertedIssue('SHOP-4', 'Error', 'New issue')], { to: ['x@mail.test'] }),
      ),
      /sending the alert mail through 127\.0\.0\.1:\d+ failed/,
    );
    const failures = await host.failures('email');
    assert.equal(failures.counts.alert, 1);
    assert.match(failures.lastErrors.alert ?? '', /sending the alert mail through 127\.0\.0\.1:\d+ failed/);
  });

  it('gives up on a server that answers too slowly within the 5 s budget, before the host stops the plugin', async function () {
    this.timeout(60_000);
    // Greets, and answers every command, after 1.2 s: each wait is shorter than any single SMTP
    // timeout, but the whole conversation would outlast the budget.
    const sockets = new Set<net.Socket>();
    const slow = net.createServer((socket) => {
      sockets.add(socket);
      const later = (line: string) => setTimeout(() => socket.writable && socket.write(`${line}\r\n`), 1200);
      later('220 slow.test ESMTP');
      socket.on('data', () => later('250 slow.test'));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = slow.address() as net.AddressInfo;
      const host = await listed(
        { smtpUrl: `smtp://127.0.0.1:${port}`, from: FROM },
        { PLUGIN_HOOK_BUDGET_MS: '5000' },
      );
      const started = Date.now();
      await assert.rejects(
        host.runAlert(
          'email',
          notification(host, [alertedIssue('SHOP-7', 'Error', 'New issue')], { to: ['x@mail.test'] }),
        ),
        (error: Error & { code?: string }) => {
          assert.notEqual(error.code, 'plugin_timeout', 'the plugin gave up, not the host');
          assert.match(error.message, /sending the alert mail through 127\.0\.0\.1:\d+ failed/);
          return true;
        },
      );
      assert.ok(Date.now() - started < 4500, `gave up after ${Date.now() - started} ms`);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => slow.close(() => resolve()));
    }
  });

  it('throws a sentence naming the missing settings when no SMTP server is configured', async () => {
    const host = await listed({});
    await assert.rejects(
      host.runAlert(
        'email',
        notification(host, [alertedIssue('SHOP-5', 'Error', 'New issue')], { to: ['x@mail.test'] }),
      ),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'plugin_config_invalid', 'a final error: the alert job does not retry it');
        assert.match(
          error.message,
          /smtpUrl and from not set for project \d+ \(set smtpUrl in PLUGIN_CONFIG_EMAIL/,
        );
        return true;
      },
    );
  });
});
