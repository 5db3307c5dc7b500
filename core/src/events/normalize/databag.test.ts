import assert from 'node:assert/strict';
import { normalize } from './test-helpers';

/** `{ key<depth>: { key<depth-1>: … { key1: "max depth" } } }`, like Relay's own trimming test. */
function nested(depth: number): unknown {
  let value: unknown = 'max depth';
  for (let level = 1; level <= depth; level++) value = { [`key${level}`]: value };
  return value;
}

/** A payload nested `depth` deep, parsed from text: building it in JS and stringifying would overflow. */
function deepJson(depth: number): unknown {
  return JSON.parse(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
}

describe('databags', () => {
  it('keeps six levels of extra and removes the container below, as Relay does', () => {
    const event = normalize({ extra: { key_1: 'value 1', key_2: nested(8), key_3: nested(5) } });
    assert.deepEqual(event.extra?.key_3, nested(5));
    assert.deepEqual(event.extra?.key_2, {
      key8: { key7: { key6: { key5: { key4: null } } } },
    });
    assert.deepEqual(event._meta, {
      extra: {
        key_2: { key8: { key7: { key6: { key5: { key4: { '': { rem: [['!limit', 'x']], len: 1 } } } } } } },
      },
    });
  });

  it('trims an extra nested 5,000 deep to something JSON.stringify can write', () => {
    const event = normalize({ extra: deepJson(5000) as Record<string, unknown> });
    const json = JSON.stringify(event);
    assert.ok(json.length < 2000, `${json.length} characters`);
    assert.deepEqual(event.extra, { a: { a: { a: { a: { a: { a: null } } } } } });
    const meta = event._meta?.extra as Record<string, unknown>;
    assert.deepEqual(
      JSON.stringify(meta),
      '{"a":{"a":{"a":{"a":{"a":{"a":{"":{"rem":[["!limit","x"]],"len":1}}}}}}}}',
    );
  });

  it('caps every free-form field, not only extra', () => {
    const deep = deepJson(3000);
    const event = normalize({
      contexts: { custom: { deep } },
      user: { id: 'u-1', deep },
      request: { url: 'http://x/', data: deep, cookies: deep, env: { deep } },
      breadcrumbs: [{ message: 'b', data: { deep } }],
      logentry: { message: 'm %s', params: [deep] },
      sdk: { name: 'sentry.javascript.node', version: '1', deep },
      threads: [{ id: 1, deep, stacktrace: { frames: [{ function: 'f', vars: { deep } }] } }],
      exception: [{ type: 'E', mechanism: { type: 'generic', data: { deep }, deep } }],
    });
    assert.doesNotThrow(() => JSON.stringify(event));
    assert.equal(event.user?.id, 'u-1');
    assert.equal(event.sdk?.name, 'sentry.javascript.node');
    assert.equal(event.exception?.values[0].mechanism?.type, 'generic');
    const threads = event.threads as {
      values: { id: number; stacktrace: { frames: { function: string }[] } }[];
    };
    assert.equal(threads.values[0].id, 1);
    assert.equal(threads.values[0].stacktrace.frames[0].function, 'f');
    for (const field of [
      'contexts',
      'user',
      'request',
      'breadcrumbs',
      'logentry',
      'sdk',
      'threads',
      'exception',
    ]) {
      assert.ok(event._meta?.[field], `${field} has _meta`);
    }
  });

  it('stops a long list at the bag size and records its length', () => {
    const event = normalize({ extra: { list: Array.from({ length: 200_000 }, () => 1) } });
    const list = event.extra?.list as number[];
    assert.ok(list.length > 1000 && list.length < 200_000, `${list.length} items kept`);
    assert.deepEqual(event._meta?.extra, { list: { '': { len: 200_000 } } });
  });

  it('cuts a string to what is left of the bag', () => {
    const event = normalize({ request: { url: 'http://x/', data: 'd'.repeat(10_000) } });
    const data = event.request?.data as string;
    assert.ok(data.length <= 8192 && data.endsWith('...'));
    const meta = (event._meta?.request as Record<string, Record<string, { len: number }>>).data[''];
    assert.equal(meta.len, 10_000);
  });

  it('keeps a "__proto__" key a plain key', () => {
    const event = normalize({
      extra: JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>,
    });
    assert.equal(Object.getPrototypeOf(event.extra), Object.prototype);
    assert.deepEqual(Object.keys(event.extra ?? {}), ['__proto__']);
  });
});
