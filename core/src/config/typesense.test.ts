import assert from 'node:assert/strict';
import { loadConfig } from '.';

describe('Typesense settings', () => {
  it('leave search on Postgres when unset', () => {
    assert.equal(loadConfig({}).search.typesense, undefined);
  });

  it('turn Typesense on with a URL and a key', () => {
    assert.deepEqual(
      loadConfig({ TYPESENSE_URL: 'http://ts:8108/', TYPESENSE_API_KEY: 'k' }).search.typesense,
      {
        url: 'http://ts:8108',
        apiKey: 'k',
        collection: 'issues',
      },
    );
  });

  it('stop start-up with one line naming what is missing or wrong, never showing the key', () => {
    assert.throws(
      () => loadConfig({ TYPESENSE_URL: 'http://ts:8108' }),
      /^ConfigError: Invalid setting TYPESENSE_API_KEY: is required when TYPESENSE_URL is set/,
    );
    assert.throws(
      () => loadConfig({ TYPESENSE_API_KEY: 'secret-key' }),
      /Invalid setting TYPESENSE_URL: is required when TYPESENSE_API_KEY is set/,
    );
    assert.throws(
      () => loadConfig({ TYPESENSE_URL: 'ts:8108', TYPESENSE_API_KEY: 'k' }),
      /Invalid setting TYPESENSE_URL: must be an http:\/\/ or https:\/\/ URL \(got "ts:8108"\)/,
    );
    assert.throws(
      () => loadConfig({ TYPESENSE_URL: 'http://ts', TYPESENSE_API_KEY: 'k', TYPESENSE_COLLECTION: 'a b' }),
      /Invalid setting TYPESENSE_COLLECTION/,
    );
    try {
      loadConfig({ TYPESENSE_API_KEY: '' + 'secret-key', TYPESENSE_URL: 'nope' });
    } catch (error) {
      assert.ok(!String(error).includes('secret-key'));
    }
  });
});
