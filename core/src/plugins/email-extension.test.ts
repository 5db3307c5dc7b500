import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
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

// What the mails say, and how sending fails, is tested through the SDK's test host in
// extensions/email/src/email.test.ts, as a third party's plugin is. What stays here is core's part:
// the built-in turned on per organization/project, with settings the host stores (written around the
// API, which the test host does not reach), and an installation-only setting the host does not take
// from an organization's stored settings.
const silent = pino({ level: 'silent' });
const FROM = 'Faultline <alerts@faultline.test>';

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

describeEachDatabase('email extension as a built-in, with settings the host stores', (ctx) => {
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

  function nextMail(before: number): ReceivedMail {
    assert.equal(smtp.inbox.length, before + 1, 'exactly one mail was received');
    return smtp.inbox[before];
  }

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
      const { raw } = nextMail(before);
      assert.match(raw, /^From: Shop alerts <shop@faultline\.test>\r$/m, "the project's sender");
      assert.match(raw, /^Subject: \[Faultline\] shop: Error: stock\r$/m);
    } finally {
      await orgSmtp.close();
      await knex('plugin_settings').where('plugin_id', 'email').delete();
    }
  });
});
