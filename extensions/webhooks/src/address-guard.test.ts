import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isPrivateAddress, resolvePublicAddresses } from './address-guard';
import { deliver } from './deliver';

describe('webhook address guard', () => {
  const table: [string, boolean][] = [
    ['127.0.0.1', true],
    ['127.255.0.9', true],
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['172.31.255.255', true],
    ['172.32.0.1', false],
    ['192.168.1.10', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['::1', true],
    ['::', true],
    ['[::1]', true],
    ['fc00::1', true],
    ['fd12:3456::1', true],
    ['fe80::1', true],
    ['fe80::1%eth0', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:7f00:1', true],
    ['::ffff:8.8.8.8', true],
    ['ff02::1', true],
    ['8.8.8.8', false],
    ['93.184.216.34', false],
    ['2606:4700:4700::1111', false],
    ['2001:4860:4860::8888', false],
  ];
  for (const [address, isPrivate] of table) {
    it(`${address} is ${isPrivate ? 'refused' : 'allowed'}`, () => {
      assert.equal(isPrivateAddress(address), isPrivate);
    });
  }

  it('resolves names with node:dns and refuses one resolving to loopback', async () => {
    await assert.rejects(resolvePublicAddresses('localhost'), { name: 'DestinationRefusedError' });
    await assert.rejects(resolvePublicAddresses('[::1]'), { name: 'DestinationRefusedError' });
    assert.deepEqual(await resolvePublicAddresses('8.8.8.8'), [{ address: '8.8.8.8', family: 4 }]);
  });

  describe('delivery', () => {
    let server: http.Server;
    let port: number;
    let hits = 0;
    before(async () => {
      server = http.createServer((req, res) => {
        hits += 1;
        req.resume();
        req.on('end', () => res.writeHead(204).end());
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const options = { secret: 's', timeoutMs: 1000, attempts: 3, backoffMs: 10 };

    it('refuses loopback by literal and by name without sending or retrying', async () => {
      for (const host of ['127.0.0.1', 'localhost']) {
        const result = await deliver(`http://${host}:${port}/`, 'issue.created', 'd1', '{}', {
          ...options,
          allowPrivateAddresses: false,
        });
        assert.equal(result.ok, false);
        assert.match(result.error ?? '', /private/);
        assert.ok(result.attempts <= 1);
      }
      assert.equal(hits, 0);
    });

    it('sends to loopback when allowPrivateAddresses is set', async () => {
      const result = await deliver(`http://localhost:${port}/`, 'issue.created', 'd2', '{}', {
        ...options,
        allowPrivateAddresses: true,
      });
      assert.deepEqual([result.ok, result.status, result.attempts, hits], [true, 204, 1, 1]);
    });
  });
});
