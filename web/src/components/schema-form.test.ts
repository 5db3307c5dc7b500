import assert from 'node:assert/strict';
import { formFields, inputFrom } from './schema-form';

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
    const form = new FormData();
    form.set('title', 'Checkout fails');
    form.set('repositoryName', 'acme/shop');
    form.set('priority', 'high');
    form.set('estimate', '3');
    assert.deepEqual(inputFrom(fields, form), {
      title: 'Checkout fails',
      repositoryName: 'acme/shop',
      priority: 'high',
      estimate: 3,
      notify: false,
    });
    form.set('estimate', '');
    form.set('notify', 'on');
    const again = inputFrom(fields, form);
    assert.equal('estimate' in again, false);
    assert.equal(again.notify, true);
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
    const form = new FormData();
    form.set('botToken', '');
    assert.deepEqual(inputFrom(fields, form), {});
  });
});
