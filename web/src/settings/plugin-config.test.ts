import assert from 'node:assert/strict';
import type { Plugin } from '../api/settings';
import { formFields, initialValues, inputFrom } from '../components/schema-form';
import { configChange, projectConfigSchema, projectConfigValues } from './plugin-config';

/** The Slack plugin as the API shows it for a project whose bot token is set and `apiUrl` is the installation's. */
const SLACK: Plugin = {
  id: 'slack',
  version: '1.0.0',
  description: null,
  source: 'builtin',
  builtin: true,
  hooks: [],
  hasAlertAction: true,
  configFields: [
    { name: 'botToken', secret: true, installationOnly: false },
    { name: 'channelName', secret: false, installationOnly: false },
    { name: 'apiUrl', secret: false, installationOnly: true },
  ],
  configSchema: {
    type: 'object',
    properties: {
      botToken: { type: 'string', pattern: '^xox[a-z]-[\\w-]+$', writeOnly: true },
      channelName: { type: 'string' },
      apiUrl: { type: 'string', format: 'uri', readOnly: true },
    },
  },
  actionConfigSchema: { type: 'object', properties: { channel: { type: 'string' } } },
  failures: { processEvent: 0, hook: 0, alert: 0, task: 0 },
  enabled: true,
  enabledSetting: true,
  config: { botToken: { set: true }, channelName: 'alerts', apiUrl: 'https://slack.com/api/' },
  overrides: { botToken: { set: true }, channelName: 'alerts' },
};

describe('a plugin config form', () => {
  it('offers the fields a project may set: secrets write-only, installation-only ones not at all', () => {
    const fields = formFields(projectConfigSchema(SLACK));
    assert.deepEqual(
      fields.map((f) => [f.name, f.kind]),
      [
        ['botToken', 'password'],
        ['channelName', 'text'],
      ],
    );
    assert.deepEqual(initialValues(fields, projectConfigValues(SLACK)), {
      botToken: '',
      channelName: 'alerts',
    });
    assert.equal(fields[0].description, 'Set (hidden). Leave empty to keep it.');
    assert.ok(!JSON.stringify(fields).includes('xox'), 'no secret value in the form');
  });

  it('starts from what the project set, never a secret', () => {
    assert.deepEqual(projectConfigValues(SLACK), { channelName: 'alerts' });
  });

  it('keeps a secret left empty and clears a field emptied', () => {
    assert.deepEqual(configChange(SLACK, {}), { channelName: null });
    assert.deepEqual(configChange(SLACK, { botToken: 'xoxb-new', channelName: 'ops' }), {
      botToken: 'xoxb-new',
      channelName: 'ops',
    });
  });
});

/** The webhooks plugin for a project that set nothing, the organization its URLs and secret. */
const WEBHOOKS: Plugin = {
  ...SLACK,
  id: 'webhooks',
  configFields: [
    { name: 'urls', secret: false, installationOnly: false },
    { name: 'secret', secret: true, installationOnly: false },
  ],
  configSchema: {
    type: 'object',
    properties: {
      urls: { type: 'array', items: { type: 'string', format: 'uri' }, minItems: 1 },
      secret: { type: 'string', minLength: 16, writeOnly: true },
    },
    required: ['urls', 'secret'],
  },
  config: { urls: ['https://hooks.example.com/a'], secret: { set: true } },
  overrides: {},
};

describe('a plugin config form with a list', () => {
  it("shows the organization's URLs and sets the project's own as a list", () => {
    const schema = projectConfigSchema(WEBHOOKS);
    const fields = formFields(schema);
    assert.deepEqual(
      fields.map((f) => [f.name, f.kind, f.required]),
      [
        ['urls', 'list', false],
        ['secret', 'password', false],
      ],
      'a project sets only what it changes: nothing is required there',
    );
    assert.equal(
      fields[0].description,
      'From the organization or installation: ["https://hooks.example.com/a"]',
    );
    const values = initialValues(fields, projectConfigValues(WEBHOOKS));
    assert.deepEqual(values.urls, [], 'nothing set here yet');
    const input = inputFrom(fields, {
      ...values,
      urls: ['https://a.example.com/', 'https://b.example.com/'],
    });
    assert.deepEqual(configChange(WEBHOOKS, input), {
      urls: ['https://a.example.com/', 'https://b.example.com/'],
    });
  });
});
