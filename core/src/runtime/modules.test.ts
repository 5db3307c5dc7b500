import assert from 'node:assert/strict';
import { defineModule, given, serviceRef, startModules } from './modules';

const NAME = serviceRef<string>('test.name');
const GREETING = serviceRef<string>('test.greeting');
const SHOUT = serviceRef<string>('test.shout');

/** Modules that record what they start and stop, in order. */
function fixture() {
  const events: string[] = [];
  const greeting = defineModule({
    id: 'greeting',
    provides: GREETING,
    needs: { name: NAME },
    async init({ name }) {
      events.push('start greeting');
      return { value: `hello ${name}`, stop: () => void events.push('stop greeting') };
    },
  });
  const shout = defineModule({
    id: 'shout',
    provides: SHOUT,
    needs: { greeting: GREETING },
    async init({ greeting }) {
      events.push('start shout');
      return { value: greeting.toUpperCase(), stop: () => void events.push('stop shout') };
    },
  });
  return { events, greeting, shout };
}

describe('feature modules', () => {
  it('starts each module once what it needs is there, whatever the list order, and stops them in reverse', async () => {
    const { events, greeting, shout } = fixture();
    const modules = await startModules([shout, greeting], [given(NAME, 'ada')]);
    assert.equal(modules.get(SHOUT), 'HELLO ADA');
    await modules.stop();
    assert.deepEqual(events, ['start greeting', 'start shout', 'stop shout', 'stop greeting']);
  });

  it('names the module and the service nobody provides', async () => {
    const { shout } = fixture();
    await assert.rejects(startModules([shout], []), /shout needs test\.greeting/);
  });

  it('stops the modules already started when a later one fails to start', async () => {
    const { events, greeting } = fixture();
    const failing = defineModule({
      id: 'failing',
      provides: SHOUT,
      needs: { greeting: GREETING },
      async init(): Promise<{ value: string }> {
        throw new Error('no shouting today');
      },
    });
    await assert.rejects(startModules([greeting, failing], [given(NAME, 'ada')]), /no shouting today/);
    assert.deepEqual(events, ['start greeting', 'stop greeting']);
  });
});
