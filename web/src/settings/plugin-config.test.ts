import assert from 'node:assert/strict';
import type { Plugin } from '../api/settings';
import { formFields } from '../components/schema-form';
import { configChange, projectConfigSchema } from './plugin-config';

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
      fields.map((f) => [f.name, f.kind, f.defaultValue]),
      [
        ['botToken', 'password', undefined],
        ['channelName', 'text', 'alerts'],
      ],
    );
    assert.equal(fields[0].description, 'Set (hidden). Leave empty to keep it.');
    assert.ok(!JSON.stringify(fields).includes('xox'), 'no secret value in the form');
  });

  it('keeps a secret left empty and clears a field emptied', () => {
    assert.deepEqual(configChange(SLACK, {}), { channelName: null });
    assert.deepEqual(configChange(SLACK, { botToken: 'xoxb-new', channelName: 'ops' }), {
      botToken: 'xoxb-new',
      channelName: 'ops',
    });
  });
});
