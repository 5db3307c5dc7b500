import assert from 'node:assert/strict';
import type { AlertedIssue, AlertNotification } from '@faultline/plugin-sdk';
import { isSecret } from '@faultline/plugin-sdk';
import { actionConfigSchema, configSchema } from './config';
import { escapeHtml, renderAlertMail, renderSubject } from './render';
import { messageIdFor } from './send';

function alerted(overrides: Partial<AlertedIssue['issue']> = {}, reason = 'New issue'): AlertedIssue {
  return {
    trigger: 'issue.created',
    reason,
    firedAt: '2026-11-24T22:00:00.000Z',
    issue: {
      id: '17',
      projectId: '3',
      shortId: 'BACKEND-H',
      title: 'TypeError: Cannot read properties of undefined',
      culprit: 'app/handlers/checkout.js in charge',
      level: 'error',
      status: 'unresolved',
      assignedTo: null,
      firstSeen: '2026-11-24T21:59:00.000Z',
      lastSeen: '2026-11-24T22:00:00.000Z',
      count: 1234,
      userCount: 1,
      permalink: 'https://faultline.example.com/acme/backend/issues/17/',
      ...overrides,
    },
  };
}

function notification(issues: AlertedIssue[], digest = false): AlertNotification {
  return {
    id: 'fire-42-action-0',
    rule: { id: '9', name: 'Checkout errors' },
    project: { id: '3', slug: 'backend', name: 'Backend API' },
    organization: { id: '1', slug: 'acme' },
    digest,
    issues,
    config: { to: ['oncall@acme.example'] },
  };
}

describe('email alert rendering', () => {
  it('names the project and the issue in the subject, with the default or the action prefix', () => {
    const alert = notification([alerted()]);
    assert.equal(renderSubject(alert), '[Faultline] backend: TypeError: Cannot read properties of undefined');
    assert.equal(
      renderSubject(alert, '[prod]'),
      '[prod] backend: TypeError: Cannot read properties of undefined',
    );
    assert.equal(renderSubject(alert, ''), 'backend: TypeError: Cannot read properties of undefined');
  });

  it('keeps a subject on one line and cuts a very long title', () => {
    const subject = renderSubject(
      notification([alerted({ title: `Error\r\nBcc: evil@x.io ${'x'.repeat(300)}` })]),
    );
    assert.ok(!/[\r\n]/.test(subject), 'no line breaks (no header injection)');
    assert.ok(subject.startsWith('[Faultline] backend: Error Bcc: evil@x.io xxx'));
    assert.ok(subject.endsWith('…'));
    assert.ok(subject.length < 160);
  });

  it('lists every field of the issue in the plain-text part', () => {
    const { text } = renderAlertMail(notification([alerted({}, 'Seen 120 times in 5 minutes')]));
    assert.equal(
      text,
      [
        'Alert rule "Checkout errors" fired in Backend API (acme/backend).',
        '',
        'BACKEND-H  TypeError: Cannot read properties of undefined',
        '  in app/handlers/checkout.js in charge',
        '  Seen 120 times in 5 minutes · level error',
        '  1,234 events · 1 user',
        '  https://faultline.example.com/acme/backend/issues/17/',
        '',
        '-- ',
        'Sent by Faultline for alert rule "Checkout errors". Alert id: fire-42-action-0',
        '',
      ].join('\n'),
    );
  });

  it('leaves out the culprit line when the issue has none', () => {
    const { text, html } = renderAlertMail(notification([alerted({ culprit: null })]));
    assert.ok(!text.includes('  in '));
    assert.ok(!html.includes('monospace'));
  });

  it('escapes the five HTML-special characters', () => {
    assert.equal(
      escapeHtml(`<a href="x" title='y'>&</a>`),
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('escapes every user-controlled text in the HTML part', () => {
    const hostile = '<script>alert("x")</script> & \'quotes\'';
    const alert = notification([
      alerted({ title: hostile, culprit: hostile, shortId: '<b>', level: '<i>' }, hostile),
    ]);
    alert.rule.name = hostile;
    alert.project.name = hostile;
    alert.project.slug = '<img src=x>';
    const { html, text } = renderAlertMail(alert);
    assert.ok(!html.includes('<script>'), 'no script tag');
    assert.ok(!html.includes('<img'), 'no injected element');
    assert.ok(!html.includes('<b>') && !html.includes('<i>'));
    assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;'));
    assert.ok(text.includes('<script>alert("x")</script>'), 'the text part shows the text as it is');
  });

  it('links only http(s) permalinks, escaped', () => {
    const linked = renderAlertMail(notification([alerted({ permalink: 'https://f.example/i/1?a=1&b="2"' })]));
    assert.ok(linked.html.includes('href="https://f.example/i/1?a=1&amp;b=%222%22"'));
    const script = renderAlertMail(notification([alerted({ permalink: 'javascript:alert(1)' })]));
    assert.ok(!script.html.includes('href='), 'a javascript: URL is not made a link');
    assert.ok(!script.html.includes('javascript:'));
  });

  it('sums up a digest in the subject and lists each of its issues', () => {
    const alert = notification(
      [
        alerted({ shortId: 'BACKEND-1', title: 'First failure' }, 'New issue'),
        alerted({ shortId: 'BACKEND-2', title: 'Second failure', count: 1 }, 'Regressed'),
        alerted({ shortId: 'BACKEND-3', title: 'Third failure' }, 'Seen 50 times in 1 minute'),
      ],
      true,
    );
    const { subject, text, html } = renderAlertMail(alert);
    assert.equal(subject, '[Faultline] backend: 3 issues');
    assert.ok(text.startsWith('Alert rule "Checkout errors" fired 3 times in Backend API (acme/backend).'));
    for (const line of [
      'BACKEND-1  First failure',
      'BACKEND-2  Second failure',
      '  Regressed · level error',
      '  1 event · 1 user',
    ])
      assert.ok(text.includes(line), line);
    assert.equal(html.match(/<tr>/g)?.length, 3);
    assert.ok(html.includes('<title>[Faultline] backend: 3 issues</title>'));
  });

  it('a digest of one issue is titled by that issue', () => {
    assert.equal(renderSubject(notification([alerted()], true)), renderSubject(notification([alerted()])));
  });
});

describe('email plugin config', () => {
  it('marks smtpUrl secret and accepts smtp(s) URLs and "Name <address>" senders', () => {
    assert.ok(isSecret(configSchema.shape.smtpUrl));
    assert.ok(!isSecret(configSchema.shape.from));
    const ok = configSchema.safeParse({
      smtpUrl: 'smtps://user:pass@mail.example.com:465',
      from: 'Faultline <alerts@example.com>',
    });
    assert.ok(ok.success);
    assert.ok(!configSchema.safeParse({ smtpUrl: 'https://mail.example.com' }).success);
    assert.ok(!configSchema.safeParse({ from: 'not an address' }).success);
    assert.ok(configSchema.safeParse({}).success, 'both may be left to organization or project settings');
  });

  it('needs at least one valid recipient in the action config', () => {
    assert.ok(actionConfigSchema.safeParse({ to: ['a@example.com'], subjectPrefix: '[prod]' }).success);
    assert.ok(!actionConfigSchema.safeParse({ to: [] }).success);
    assert.ok(!actionConfigSchema.safeParse({ to: ['nobody'] }).success);
    assert.ok(!actionConfigSchema.safeParse({}).success);
  });

  it('derives a stable Message-ID from the alert id and the sender domain', () => {
    assert.equal(
      messageIdFor('fire-42/0', 'Faultline <alerts@example.com>'),
      '<alert.fire-42-0@example.com>',
    );
    assert.equal(messageIdFor('7', 'alerts@example.com'), '<alert.7@example.com>');
  });
});
