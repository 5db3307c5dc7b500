import assert from 'node:assert/strict';
import { AccountsRepository, hashToken } from '../accounts';
import { describeEachDatabase } from '../testing/databases';
import { seedAccount, startApiServer, type ApiServer } from './api-test-kit';

interface KeyJson {
  id: string;
  public: string;
  secret: string | null;
  dsn: { public: string; secret: string | null };
}

const HEX_HASH = /^[0-9a-f]{64}$/;

describeEachDatabase('project key secrets', (ctx) => {
  let api: ApiServer;
  let token: string;

  before(async () => {
    token = (await seedAccount(ctx.db.knex, { organization: 'acme', project: 'app', email: 'owner@acme.io' }))
      .token;
    api = await startApiServer(ctx.db.knex);
  });

  after(async () => api?.close());

  async function storedHash(publicKey: string): Promise<string | undefined> {
    return (await new AccountsRepository(ctx.db.knex).findKeyByPublicKey(publicKey))?.secret_key_hash;
  }

  it('shows the secret once, when the key is created, and stores only its SHA-256', async () => {
    const answer = await api.request('post', '/api/0/projects/acme/app/keys/', { name: 'web' }, token);
    assert.equal(answer.status, 201);
    const created = answer.body as KeyJson;
    assert.match(created.secret ?? '', /^[0-9a-f]{32}$/);
    assert.equal(
      created.dsn.secret,
      created.dsn.public.replace(`//${created.public}@`, `//${created.public}:${created.secret}@`),
    );

    const hash = await storedHash(created.id);
    assert.match(hash ?? '', HEX_HASH);
    assert.equal(hash, hashToken(created.secret!));
    const row = await ctx.db
      .knex('project_keys')
      .where({ public_key: created.id })
      .first<Record<string, unknown>>();
    assert.ok(!Object.values(row).some((value) => String(value).includes(created.secret!)));

    const keyPath = `/api/0/projects/acme/app/keys/${created.id}/`;
    const listed = ((await api.get('/api/0/projects/acme/app/keys/', token)).body as KeyJson[]).find(
      (k) => k.id === created.id,
    );
    const detail = (await api.get(keyPath, token)).body as KeyJson;
    const updated = (await api.put(keyPath, { name: 'web 2' }, token)).body as KeyJson;
    for (const shown of [listed, detail, updated]) {
      assert.ok(shown);
      // Sentry's field names stay, so clients reading them keep working; the values are gone.
      assert.ok('secret' in shown && 'secret' in shown.dsn);
      assert.equal(shown.secret, null);
      assert.equal(shown.dsn.secret, null);
      assert.equal(shown.dsn.public, created.dsn.public);
      assert.ok(!JSON.stringify(shown).includes(created.secret!));
    }
  });

  it('shows the new secret once when rotating', async () => {
    const created = (await api.request('post', '/api/0/projects/acme/app/keys/', {}, token)).body as KeyJson;
    const rotated = (
      await api.request('post', `/api/0/projects/acme/app/keys/${created.id}/rotate/`, undefined, token)
    ).body as KeyJson;
    assert.notEqual(rotated.id, created.id);
    assert.match(rotated.secret ?? '', /^[0-9a-f]{32}$/);
    assert.notEqual(rotated.secret, created.secret);
    assert.equal(await storedHash(rotated.id), hashToken(rotated.secret!));
    const detail = (await api.get(`/api/0/projects/acme/app/keys/${rotated.id}/`, token)).body as KeyJson;
    assert.equal(detail.secret, null);
  });

  it('bootstrap stores a hashed secret and returns a DSN with the public key only', async () => {
    const setup = await seedAccount(ctx.db.knex, {
      organization: 'acme',
      project: 'app',
      email: 'owner@acme.io',
    });
    const dsn = new URL(setup.dsn);
    assert.match(dsn.username, /^[0-9a-f]{32}$/);
    assert.equal(dsn.password, '');
    assert.match((await storedHash(dsn.username)) ?? '', HEX_HASH);
  });

  it('hashes in SQL exactly like Node, as migration 007 relies on', async () => {
    const secret = 'c0ffee'.repeat(5) + 'é';
    const { rows } = await ctx.db.knex.raw<{ rows: { hash: string }[] }>(
      `SELECT encode(sha256(convert_to(?::text, 'UTF8')), 'hex') AS hash`,
      [secret],
    );
    assert.equal(rows[0].hash, hashToken(secret));
  });
});
