import assert from 'node:assert/strict';
import { errorTypesAt, normalize } from './test-helpers';

describe('contexts', () => {
  it('trims string fields and keeps the rest as sent', () => {
    const event = normalize({
      contexts: {
        os: { name: 'Debian', version: '12.11\n', kernel_version: ' 6.18 ' },
        device: { memory_size: 25276510208, arch: 'x64', nested: { keep: ' as is ' } },
      },
    });
    assert.deepEqual(event.contexts, {
      os: { name: 'Debian', version: '12.11', kernel_version: '6.18' },
      device: { memory_size: 25276510208, arch: 'x64', nested: { keep: ' as is ' } },
    });
    assert.equal(event.errors, undefined);
  });

  const invalidCases: [string, unknown, string][] = [
    ['a non-object context', { os: 'Linux' }, 'contexts.os'],
    ['a list context', { os: ['Linux'] }, 'contexts.os'],
    ['contexts as a list', [{ os: {} }], 'contexts'],
  ];
  for (const [name, input, path] of invalidCases) {
    it(`drops ${name} and records it`, () => {
      const event = normalize({ contexts: input });
      assert.equal(event.contexts, undefined);
      assert.deepEqual(errorTypesAt(event, path), ['invalid_data']);
    });
  }

  it('skips null contexts silently', () => {
    const event = normalize({ contexts: { os: null, runtime: { name: 'node' } } });
    assert.deepEqual(event.contexts, { runtime: { name: 'node' } });
    assert.equal(event.errors, undefined);
  });
});
