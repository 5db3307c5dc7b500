import assert from 'node:assert/strict';
import { formFields, initialValues, inputFrom, type FormValues } from './schema-form';

/** What `z.toJSONSchema` gives for an action input like the GitHub plugin's "Create issue". */
const CREATE_ISSUE = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: {
    title: { type: 'string', maxLength: 256 },
    repositoryName: { type: 'string', description: 'owner/name', maxLength: 100 },
    labels: { type: 'array', items: { type: 'string' } },
    priority: { type: 'string', enum: ['low', 'high'], default: 'low' },
    estimate: { type: 'integer', minimum: 0 },
    notify: { type: 'boolean', default: true },
  },
  required: ['title', 'repositoryName', 'priority', 'notify'],
  additionalProperties: false,
};

describe('web: forms generated from an action input JSON Schema', () => {
  it('makes a labelled field of each property it can show, required unless it has a default', () => {
    assert.deepEqual(formFields(CREATE_ISSUE), [
      {
        name: 'title',
        label: 'Title',
        kind: 'textarea',
        required: true,
        description: undefined,
        defaultValue: undefined,
      },
      {
        name: 'repositoryName',
        label: 'Repository name',
        kind: 'text',
        required: true,
        description: 'owner/name',
        defaultValue: undefined,
      },
      {
        name: 'labels',
        label: 'Labels',
        kind: 'list',
        required: false,
        description: undefined,
        defaultValue: undefined,
        item: {
          name: 'labels',
          label: 'Labels',
          kind: 'text',
          required: true,
          description: undefined,
          defaultValue: undefined,
        },
      },
      {
        name: 'priority',
        label: 'Priority',
        kind: 'select',
        required: false,
        description: undefined,
        options: ['low', 'high'],
        defaultValue: 'low',
      },
      {
        name: 'estimate',
        label: 'Estimate',
        kind: 'number',
        required: false,
        description: undefined,
        integer: true,
        defaultValue: undefined,
      },
      {
        name: 'notify',
        label: 'Notify',
        kind: 'checkbox',
        required: false,
        description: undefined,
        defaultValue: true,
      },
    ]);
  });

  it('reads the answers back as the API expects them: numbers, booleans, empty optional fields left out', () => {
    const fields = formFields(CREATE_ISSUE);
    const values: FormValues = {
      ...initialValues(fields),
      title: 'Checkout fails',
      repositoryName: 'acme/shop',
      priority: 'high',
      estimate: '3',
    };
    assert.deepEqual(inputFrom(fields, values), {
      title: 'Checkout fails',
      repositoryName: 'acme/shop',
      priority: 'high',
      estimate: 3,
      notify: true,
    });
    const again = inputFrom(fields, { ...values, estimate: '', notify: false, labels: ['bug', ''] });
    assert.equal('estimate' in again, false);
    assert.equal(again.notify, false);
    assert.deepEqual(again.labels, ['bug'], 'an empty item is left out');
  });

  it('gives an action without input no fields', () => {
    assert.deepEqual(formFields({ type: 'object', properties: {} }), []);
    assert.deepEqual(formFields({}), []);
  });

  it('makes a write-only string (a secret) a password field, left out when empty so the stored one stays', () => {
    const fields = formFields({
      type: 'object',
      properties: { botToken: { type: 'string', writeOnly: true } },
    });
    assert.deepEqual(fields, [
      { name: 'botToken', label: 'Bot token', kind: 'password', required: false, description: undefined },
    ]);
    assert.deepEqual(initialValues(fields, { botToken: { set: true } }), { botToken: '' }, 'never filled in');
    assert.deepEqual(inputFrom(fields, { botToken: '' }), {});
  });
});

/** What `z.toJSONSchema` gives for the GitHub plugin's config (abridged): lists of objects, unions, marks. */
const GITHUB_CONFIG = {
  type: 'object',
  properties: {
    token: { type: 'string', minLength: 1, writeOnly: true },
    app: {
      type: 'object',
      properties: {
        appId: {
          anyOf: [
            { type: 'string', minLength: 1 },
            { type: 'integer', exclusiveMinimum: 0 },
          ],
        },
        installationId: {
          anyOf: [
            { type: 'string', minLength: 1 },
            { type: 'integer', exclusiveMinimum: 0 },
          ],
        },
      },
      required: ['appId', 'installationId'],
      additionalProperties: false,
    },
    connections: {
      default: [],
      type: 'array',
      items: {
        type: 'object',
        properties: {
          repository: { type: 'string', pattern: '^[A-Za-z0-9_.-]+\\/[A-Za-z0-9_.-]+$' },
          codeMappings: {
            default: [],
            type: 'array',
            items: {
              type: 'object',
              properties: {
                stackRoot: { type: 'string', minLength: 1 },
                branch: { default: 'main', type: 'string', minLength: 1 },
              },
              required: ['stackRoot'],
            },
          },
          labels: { default: [], type: 'array', items: { type: 'string', minLength: 1 } },
        },
        required: ['repository'],
      },
    },
    extra: { type: 'object', additionalProperties: {} },
  },
};

describe('web: forms generated from a nested JSON Schema (a plugin config)', () => {
  const fields = formFields(GITHUB_CONFIG);

  it('makes groups of objects, lists of arrays, a text field of a union, and leaves out a map without fields', () => {
    assert.deepEqual(
      fields.map((f) => [f.name, f.kind]),
      [
        ['token', 'password'],
        ['app', 'object'],
        ['connections', 'list'],
      ],
    );
    const app = fields[1].fields!;
    assert.deepEqual(
      app.map((f) => [f.name, f.kind, f.required]),
      [
        ['appId', 'text', true],
        ['installationId', 'text', true],
      ],
    );
    const connection = fields[2].item!;
    assert.equal(connection.kind, 'object');
    assert.deepEqual(
      connection.fields!.map((f) => [f.name, f.kind, f.item?.kind]),
      [
        ['repository', 'text', undefined],
        ['codeMappings', 'list', 'object'],
        ['labels', 'list', 'text'],
      ],
    );
  });

  it('fills the form from the current value and reads it back unchanged', () => {
    const current = {
      connections: [
        { repository: 'acme/api', codeMappings: [{ stackRoot: '/srv/', branch: 'dev' }], labels: ['bug'] },
      ],
    };
    const values = initialValues(fields, current);
    assert.deepEqual(inputFrom(fields, values), current, 'an optional group left empty (app) is left out');
  });

  it('sends a group once something in it is typed', () => {
    const values = initialValues(fields);
    assert.deepEqual(values.connections, [], 'an optional list starts empty');
    const input = inputFrom(fields, { ...values, app: { appId: '12', installationId: '' } });
    assert.deepEqual(
      input.app,
      { appId: '12', installationId: '' },
      'the API names the missing installationId',
    );
  });
});

describe('web: forms for the triggers of an alert rule', () => {
  /** The `event_frequency` trigger as the rules configuration gives it. */
  const FREQUENCY = {
    type: 'object',
    title: 'An issue is seen more than a number of times',
    properties: {
      id: { type: 'string', const: 'event_frequency' },
      value: { title: 'More than (events)', type: 'integer', minimum: 0 },
      interval: { title: 'Within (minutes)', type: 'number', enum: [1, 5, 15, 60, 1440] },
    },
    required: ['id', 'value', 'interval'],
  };

  it('hides the fixed id but sends it, and sends a choice of numbers as a number', () => {
    const fields = formFields(FREQUENCY);
    assert.deepEqual(
      fields.map((f) => [f.name, f.kind, f.label]),
      [
        ['id', 'fixed', 'Id'],
        ['value', 'number', 'More than (events)'],
        ['interval', 'select', 'Within (minutes)'],
      ],
    );
    const values = initialValues(fields);
    assert.equal(values.interval, '1', 'a required choice starts at its first option');
    assert.deepEqual(inputFrom(fields, { ...values, value: '100', interval: '60' }), {
      id: 'event_frequency',
      value: 100,
      interval: 60,
    });
  });
});
