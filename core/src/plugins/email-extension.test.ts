import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import pino from 'pino';
import type { Knex } from 'knex';
import type { AlertedIssue, AlertNotification } from '@faultline/plugin-sdk';
import { seedAccount } from '../api/api-test-kit';
import { SecretBox } from '../auth';
import { describeEachDatabase } from '../testing/databases';
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from '../testing/smtp';
import { PluginAlertActions } from './alert-actions';
import { EXTENSIONS_DIR } from './builtins';
import { PluginHost } from './host';
import { PluginSettingsStore } from './settings';

// extensions/email loaded from its built dist the two ways an installation gets it: listed in PLUGINS with
// PLUGIN_CONFIG_EMAIL, or as the built-in turned on per organization/project with settings stored by
// the host; its onAlert run through the host's alert-action port, sending to real SMTP servers on loopback.
const silent = pino({ level: 'silent' });
const FROM = 'Faultline <alerts@faultline.test>';

/** A received message, split into its headers and its decoded text/plain and text/html parts. */
interface ParsedMail {
  headers: Map<string, string>;
  text: string | undefined;
  html: string | undefined;
}

/** RFC 2047 encoded words (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`), as nodemailer writes non-ASCII subjects. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?UTF-8\?([QB])\?([^?]*)\?=/gi, (_, kind: string, text: string) =>
      kind.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : decodeBody(text.replace(/_/g, ' '), 'quoted-printable'),
    );
}

function parseHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  // Folded lines (starting with white space) continue the header before them.
  for (const line of block.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers.set(line.slice(0, colon).trim().toLowerCase(), decodeWords(line.slice(colon + 1).trim()));
  }
  return headers;
}

function decodeBody(body: string, encoding: string | undefined): string {
  switch ((encoding ?? '7bit').toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    case 'quoted-printable': {
      // Soft line breaks go; =XX are bytes; everything else is ASCII as is.
      const bytes: number[] = [];
      const text = body.replace(/=\r\n/g, '');
      for (let i = 0; i < text.length; i++) {
        const hex = text[i] === '=' ? /^[0-9A-F]{2}/i.exec(text.slice(i + 1, i + 3)) : null;
        if (hex) {
          bytes.push(parseInt(hex[0], 16));
          i += 2;
        } else bytes.push(text.charCodeAt(i));
      }
      return Buffer.from(bytes).toString('utf8');
    }
    default:
      return body;
  }
}

/** Enough MIME for what nodemailer sends: one part, or a multipart/alternative of text and HTML. */
function parseMail(raw: string): ParsedMail {
  const split = raw.indexOf('\r\n\r\n');
  const headers = parseHeaders(raw.slice(0, split));
  const body = raw.slice(split + 4);
  const parsed: ParsedMail = { headers, text: undefined, html: undefined };
  const contentType = headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  const parts = boundary
    ? body
        .split(`--${boundary}`)
        .slice(1, -1)
        .map((part) => {
          const end = part.indexOf('\r\n\r\n');
          return {
            headers: parseHeaders(part.slice(2, end)),
            body: part.slice(end + 4).replace(/\r\n$/, ''),
          };
        })
    : [{ headers, body }];
  for (const part of parts) {
    const type = part.headers.get('content-type') ?? 'text/plain';
    const decoded = decodeBody(part.body, part.headers.get('content-transfer-encoding')).replace(
      /\r\n/g,
      '\n',
    );
    if (type.startsWith('text/plain')) parsed.text = decoded;
    if (type.startsWith('text/html')) parsed.html = decoded;
  }
  return parsed;
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

describeEachDatabase('email extension through the plugin host', (ctx) => {
  let knex: Knex;
  let projectId: number;
  let organizationId: number;
  let smtp: TestSmtpServer;
  /** Hosts started by a test, stopped after it (each plugin runs on a thread of its own). */
  const hosts: PluginHost[] = [];

  before(async () => {
    knex = ctx.db.knex;
    projectId = (await seedAccount(knex, { organization: 'mail', project: 'shop', email: 'm@mail.io' }))
      .projectId;
    ({ organization_id: organizationId } = await knex('projects')
      .where('id', projectId)
      .first<{ organization_id: number }>('organization_id'));
    smtp = await startSmtpServer();
  });

  after(() => smtp.close());

  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((host) => host.stop()));
  });

  function notification(issues: AlertedIssue[], config: Record<string, unknown>): AlertNotification {
    return {
      id: `fire-${issues.length}-${Date.now()}`,
      rule: { id: '5', name: 'Checkout <alerts>' },
      project: { id: String(projectId), slug: 'shop', name: 'Shop' },
      organization: { id: String(organizationId), slug: 'mail' },
      digest: issues.length > 1,
      issues,
      config,
    };
  }

  /** The plugin listed in PLUGINS, with PLUGIN_CONFIG_EMAIL: on for every project. */
  async function listed(config: object, budgetMs?: number): Promise<PluginAlertActions> {
    const host = await PluginHost.start(['@faultline/extension-email'], {
      knex,
      log: silent,
      rawConfigs: { EMAIL: JSON.stringify(config) },
    });
    hosts.push(host);
    assert.deepEqual(host.skipped, []);
    assert.deepEqual(
      host.loaded.map((p) => p.id),
      ['email'],
    );
    return new PluginAlertActions(host, budgetMs);
  }

  function nextMail(before: number): ReceivedMail {
    assert.equal(smtp.inbox.length, before + 1, 'exactly one mail was received');
    return smtp.inbox[before];
  }

  it('sends one mail with a plain-text and an escaped HTML part to the action recipients', async () => {
    const actions = await listed({ smtpUrl: smtp.url, from: FROM });
    const config = { to: ['oncall@mail.test', 'lead@mail.test'] };
    assert.equal(await actions.check('email', projectId, config), undefined);
    const before = smtp.inbox.length;
    const alert = notification(
      [alertedIssue('SHOP-1', 'TypeError: <b>Größe</b> is undefined', 'New issue')],
      config,
    );
    await actions.run('email', alert);

    const received = nextMail(before);
    assert.equal(received.from, 'alerts@faultline.test');
    assert.deepEqual(received.to, ['oncall@mail.test', 'lead@mail.test']);
    const mail = parseMail(received.raw);
    assert.equal(mail.headers.get('subject'), '[Faultline] shop: TypeError: <b>Größe</b> is undefined');
    assert.equal(mail.headers.get('from'), FROM);
    assert.equal(mail.headers.get('to'), 'oncall@mail.test, lead@mail.test');
    assert.equal(mail.headers.get('x-faultline-alert-id'), alert.id);
    assert.equal(mail.headers.get('message-id'), `<alert.${alert.id}@faultline.test>`);
    assert.equal(mail.headers.get('auto-submitted'), 'auto-generated');
    assert.match(mail.headers.get('content-type') ?? '', /^multipart\/alternative/);

    assert.ok(mail.text, 'has a plain-text part');
    assert.ok(mail.text.includes('Alert rule "Checkout <alerts>" fired in Shop (mail/shop).'));
    assert.ok(mail.text.includes('SHOP-1  TypeError: <b>Größe</b> is undefined'));
    assert.ok(mail.text.includes('  in src/checkout.ts in charge'));
    assert.ok(mail.text.includes('  New issue · level error'));
    assert.ok(mail.text.includes('  3 events · 2 users'));
    assert.ok(mail.text.includes('http://127.0.0.1:9/organizations/mail/issues/SHOP-1/'));

    assert.ok(mail.html, 'has an HTML part');
    assert.ok(!mail.html.includes('<b>Größe</b>'), 'the title is not markup');
    assert.ok(mail.html.includes('TypeError: &lt;b&gt;Größe&lt;/b&gt; is undefined'));
    assert.ok(mail.html.includes('Checkout &lt;alerts&gt;'));
    assert.ok(mail.html.includes('href="http://127.0.0.1:9/organizations/mail/issues/SHOP-1/"'));
  });

  it('sends a digest as one mail listing each issue, with the action subject prefix', async () => {
    const actions = await listed({ smtpUrl: smtp.url, from: FROM });
    const before = smtp.inbox.length;
    const alert = notification(
      [
        alertedIssue('SHOP-2', 'RangeError: bad quantity', 'New issue'),
        alertedIssue('SHOP-3', 'Error: card declined', 'Seen 120 times in 5 minutes'),
      ],
      { to: ['oncall@mail.test'], subjectPrefix: '[shop prod]' },
    );
    await actions.run('email', alert);

    const mail = parseMail(nextMail(before).raw);
    assert.equal(mail.headers.get('subject'), '[shop prod] shop: 2 issues');
    assert.ok(mail.text?.includes('fired 2 times in Shop'));
    assert.ok(mail.text?.includes('SHOP-2  RangeError: bad quantity'));
    assert.ok(mail.text?.includes('SHOP-3  Error: card declined'));
    assert.ok(mail.text?.includes('  Seen 120 times in 5 minutes · level error'));
    assert.equal(mail.html?.match(/<tr>/g)?.length, 2);
  });

  it('refuses an action without recipients before a rule is saved', async () => {
    const actions = await listed({ smtpUrl: smtp.url, from: FROM });
    assert.match((await actions.check('email', projectId, { to: [] })) ?? '', /config invalid: to /);
    assert.match(
      (await actions.check('email', projectId, { to: ['not-an-address'] })) ?? '',
      /config invalid: to\.0 /,
    );
  });

  it('as the built-in, sends through the installation SMTP server with the sender in effect for the project', async () => {
    const orgSmtp = await startSmtpServer();
    try {
      const settings = new PluginSettingsStore(knex, new SecretBox(randomBytes(32)));
      const host = await PluginHost.start([], {
        knex,
        log: silent,
        builtins: [path.join(EXTENSIONS_DIR, 'email')],
        // PLUGIN_CONFIG_EMAIL: the SMTP server is the installation's alone.
        rawConfigs: { EMAIL: JSON.stringify({ smtpUrl: smtp.url }) },
        settings,
      });
      hosts.push(host);
      assert.deepEqual(host.skipped, []);
      const actions = new PluginAlertActions(host);
      const config = { to: ['oncall@mail.test'] };
      assert.match((await actions.check('email', projectId, config)) ?? '', /disabled for this project/);

      // The organization turns it on with its sender; the project has a sender of its own. An SMTP
      // URL in the organization's stored settings (written around the API, which refuses it) is
      // not taken: mail cannot be aimed at a server of the organization's choosing.
      await knex.transaction(async (trx) => {
        await settings.write(
          trx,
          { organizationId, projectId: null, pluginId: 'email' },
          { enabled: true, config: { from: FROM }, secrets: { smtpUrl: orgSmtp.url } },
        );
        await settings.write(
          trx,
          { organizationId, projectId, pluginId: 'email' },
          { enabled: null, config: { from: 'Shop alerts <shop@faultline.test>' }, secrets: {} },
        );
      });
      settings.invalidate();
      assert.equal(await actions.check('email', projectId, config), undefined);
      const before = smtp.inbox.length;
      await actions.run('email', notification([alertedIssue('SHOP-6', 'Error: stock', 'New issue')], config));
      assert.equal(orgSmtp.inbox.length, 0, "nothing went through the organization's server");
      const mail = parseMail(nextMail(before).raw);
      assert.equal(mail.headers.get('from'), 'Shop alerts <shop@faultline.test>', "the project's sender");
      assert.equal(mail.headers.get('subject'), '[Faultline] shop: Error: stock');
    } finally {
      await orgSmtp.close();
      await knex('plugin_settings').where('plugin_id', 'email').delete();
    }
  });

  it('throws when the SMTP server cannot be reached, so the alert job retries', async () => {
    const down = await startSmtpServer();
    await down.close();
    const actions = await listed({ smtpUrl: down.url, from: FROM });
    await assert.rejects(
      actions.run(
        'email',
        notification([alertedIssue('SHOP-4', 'Error', 'New issue')], { to: ['x@mail.test'] }),
      ),
      /sending the alert mail through 127\.0\.0\.1:\d+ failed/,
    );
  });

  it('gives up on a server that answers too slowly within the 5 s budget, before the host stops the plugin', async function () {
    this.timeout(20_000);
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
      const actions = await listed({ smtpUrl: `smtp://127.0.0.1:${port}`, from: FROM }, 5000);
      const started = Date.now();
      await assert.rejects(
        actions.run(
          'email',
          notification([alertedIssue('SHOP-7', 'Error', 'New issue')], { to: ['x@mail.test'] }),
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
    const actions = await listed({});
    await assert.rejects(
      actions.run(
        'email',
        notification([alertedIssue('SHOP-5', 'Error', 'New issue')], { to: ['x@mail.test'] }),
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
