import assert from 'node:assert/strict';
import path from 'node:path';
import { createFaultlineClient, ok, type FaultlineClient } from '@faultline/api-client';
import { errorEvent, storeEvents } from '../core/src/api/api-test-kit';
import { parseTestDsn } from './support/envelopes';
import { startStack, type Stack } from './support/stack';

const TICKETER = path.join(__dirname, 'support', 'plugins', 'ticketer');

/**
 * A third-party plugin's issue action in a real `faultline start` (PLUGINS=), through the generated
 * client: listed on the issue with its form, run as the caller (the comment it makes is the
 * caller's), and a refusal answered with the plugin's message.
 */
describe('issue actions in a running server', function () {
  this.timeout(90_000);
  let stack: Stack | undefined;
  let client: FaultlineClient;
  let issue: string;

  before(async () => {
    stack = await startStack('embedded', {
      env: { PLUGINS: TICKETER },
      prepare: async (knex, setup) =>
        storeEvents(knex, parseTestDsn(setup.dsn).projectId, [errorEvent({ type: 'TypeError', value: 'x' })]),
    });
    client = createFaultlineClient({ baseUrl: stack.baseUrl, token: stack.setup.token });
    const issues = await ok(
      client.GET('/api/0/organizations/{organization}/issues/', {
        params: { path: { organization: stack.setup.organization }, query: { query: '' } },
      }),
    );
    issue = issues[0].id;
  });
  after(async () => stack?.dispose());

  it('lists the action with its form and runs it as the caller', async () => {
    const actions = await ok(client.GET('/api/0/issues/{issue}/actions/', { params: { path: { issue } } }));
    assert.deepEqual(
      actions.map((a) => [a.plugin, a.id, a.label]),
      [['ticketer', 'file-ticket', 'File ticket']],
    );
    assert.deepEqual(actions[0].inputSchema.required, ['title']);

    const done = await ok(
      client.POST('/api/0/issues/{issue}/actions/{plugin}/{action}/', {
        params: { path: { issue, plugin: 'ticketer', action: 'file-ticket' } },
        body: { input: { title: 'Broken checkout' } },
      }),
    );
    assert.match(done.message, /^Filed "Broken checkout" for /);
    const notes = await ok(client.GET('/api/0/issues/{issue}/comments/', { params: { path: { issue } } }));
    assert.equal(notes[0].data.text, 'Ticket: Broken checkout');
    assert.ok(notes[0].user, "the comment is the caller's, not the plugin's");

    const refused = await client.POST('/api/0/issues/{issue}/actions/{plugin}/{action}/', {
      params: { path: { issue, plugin: 'ticketer', action: 'file-ticket' } },
      body: { input: { title: 'refuse me' } },
    });
    assert.equal(refused.response.status, 422);
    assert.equal(refused.error?.detail, 'Tickets are closed today');
  });
});
