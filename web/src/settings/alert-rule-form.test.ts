import assert from 'node:assert/strict';
import type { AlertRule, AlertRuleConfiguration } from '../api/alert-rules';
import { actionKinds, bodyOf, draftOf, newPart, partFields } from './alert-rule-form';

/** The rules configuration as the API gives it (abridged: two triggers, two filters, two plugins). */
const CONFIGURATION: AlertRuleConfiguration = {
  conditions: [
    {
      id: 'issue.created',
      label: 'A new issue is created',
      schema: {
        type: 'object',
        properties: { id: { type: 'string', const: 'issue.created' } },
        required: ['id'],
      },
    },
    {
      id: 'event_frequency',
      label: 'An issue is seen more than a number of times',
      schema: {
        type: 'object',
        properties: {
          id: { type: 'string', const: 'event_frequency' },
          value: { title: 'More than (events)', type: 'integer', minimum: 0 },
          interval: { title: 'Within (minutes)', type: 'number', enum: [1, 5, 15, 60, 1440] },
        },
        required: ['id', 'value', 'interval'],
      },
    },
  ],
  filters: [
    {
      id: 'level',
      label: "The issue's level",
      schema: {
        type: 'object',
        properties: {
          id: { type: 'string', const: 'level' },
          match: { title: 'Comparison', type: 'string', enum: ['eq', 'gte', 'lte'] },
          level: { type: 'string', enum: ['debug', 'info', 'warning', 'error', 'fatal'] },
        },
        required: ['id', 'match', 'level'],
      },
    },
    {
      id: 'environment',
      label: "The event's environment",
      schema: {
        type: 'object',
        properties: {
          id: { type: 'string', const: 'environment' },
          value: { type: 'string', maxLength: 200 },
        },
        required: ['id', 'value'],
      },
    },
  ],
  actions: [
    { plugin: 'email', description: null, enabled: false, configSchema: null },
    {
      plugin: 'webhooks',
      description: null,
      enabled: true,
      configSchema: {
        type: 'object',
        properties: { urls: { type: 'array', items: { type: 'string', format: 'uri' }, minItems: 1 } },
      },
    },
  ],
};

describe('the alert rule editor', () => {
  it('offers a new rule one trigger and an action of a plugin that is on', () => {
    const draft = draftOf(CONFIGURATION);
    assert.deepEqual(
      draft.conditions.map((c) => c.id),
      ['issue.created'],
    );
    assert.deepEqual(
      draft.actions.map((a) => a.id),
      ['webhooks'],
      'email is off for the project',
    );
    assert.equal(actionKinds(CONFIGURATION)[0].label, 'email (off for this project)');
  });

  it('sends what was chosen and typed, each part read through its schema', () => {
    const draft = draftOf(CONFIGURATION);
    const frequency = newPart(CONFIGURATION.conditions, 'event_frequency');
    const level = newPart(CONFIGURATION.filters, 'level');
    const body = bodyOf(CONFIGURATION, {
      ...draft,
      name: 'Busy errors',
      conditions: [{ ...frequency, values: { ...frequency.values, value: '100', interval: '60' } }],
      filters: [{ ...level, values: { ...level.values, match: 'gte', level: 'error' } }],
      actions: [{ id: 'webhooks', values: { urls: ['https://hooks.example.com/x'] } }],
      digestMinutes: '10',
    });
    assert.deepEqual(body, {
      name: 'Busy errors',
      actionMatch: 'any',
      filterMatch: 'all',
      conditions: [{ id: 'event_frequency', value: 100, interval: 60 }],
      filters: [{ id: 'level', match: 'gte', level: 'error' }],
      actions: [{ plugin: 'webhooks', config: { urls: ['https://hooks.example.com/x'] } }],
      frequency: 30,
      digest: { minutes: 10 },
    });
  });

  it('edits a rule as it is: saving it untouched sends it back the same', () => {
    const rule: AlertRule = {
      id: '7',
      name: 'Production errors',
      actionMatch: 'all',
      filterMatch: 'any',
      conditions: [{ id: 'event_frequency', value: 5, interval: 15 }],
      filters: [{ id: 'environment', value: 'production' }],
      actions: [{ plugin: 'email', config: { to: ['ops@example.com'] } }],
      frequency: 0,
      status: 'active',
      digest: null,
      projects: ['api'],
      dateCreated: '2026-12-07T10:00:00.000Z',
      dateModified: '2026-12-07T10:00:00.000Z',
    };
    const draft = draftOf(CONFIGURATION, rule);
    assert.equal(draft.conditions[0].values.value, '5');
    // email declares no schema here: its config has no fields to show, and is kept as it was.
    assert.deepEqual(partFields(actionKinds(CONFIGURATION), 'email'), []);
    assert.deepEqual(bodyOf(CONFIGURATION, draft), {
      name: rule.name,
      actionMatch: rule.actionMatch,
      filterMatch: rule.filterMatch,
      conditions: rule.conditions,
      filters: rule.filters,
      actions: rule.actions,
      frequency: rule.frequency,
      digest: rule.digest,
    });
  });
});
