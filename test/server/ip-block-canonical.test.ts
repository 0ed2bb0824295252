import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachDialect } from '../store/dialects.js';
import { bearer, startHarness, type Harness } from './fixtures/server-harness.js';
import { PRUNE_INTERVAL_MS } from '../../src/server/ip-blocker.js';
import { normalizeCidr } from '../../src/server/cidr.js';

/*
 * One network, one block: admin CIDRs are stored in canonical form, removed
 * by any spelling, matched only against clients of their own family; client
 * addresses that are no IP (or carry a port) from a forwarded header; and
 * expired blocks pruned. Over real HTTP; IPv6 and foreign IPv4 clients
 * arrive as X-Forwarded-For from the trusted proxy 127.0.0.1.
 */

it('normalizeCidr: host bits zeroed, IPv6 compressed, mapped IPv6 becomes IPv4', () => {
  assert.equal(normalizeCidr('192.0.2.77/24').cidr, '192.0.2.0/24');
  assert.equal(normalizeCidr('2001:0DB8:ABCD:0000::/48').cidr, '2001:db8:abcd::/48');
  assert.equal(normalizeCidr('2001:db8:abcd:ffff::1/48').cidr, '2001:db8:abcd::/48');
  assert.equal(normalizeCidr('2001:db8::0001').cidr, '2001:db8::1');
  assert.equal(normalizeCidr('::ffff:192.0.2.0/120').cidr, '192.0.2.0/24');
  assert.equal(normalizeCidr('::ffff:192.0.2.9').cidr, '192.0.2.9');
  assert.equal(normalizeCidr('::/0').cidr, '::/0');
  assert.throws(() => normalizeCidr('fe80::1%eth0'), /not an IP address/);
});

forEachDialect('IP blocks: canonical CIDRs, families, client addresses, pruning', (ctx) => {
  let h: Harness;
  let clock = Date.now();
  let admin: string;
  before(async () => {
    h = await startHarness(ctx, {
      now: () => clock,
      config: { 'server.blockCidrs': ['127.52.0.0/16'], 'server.trustProxy': '127.0.0.1' },
    });
    admin = await h.key({ scopes: ['admin'] });
  });
  after(() => h.close());

  const viaProxy = (client: string) =>
    h.request({
      method: 'GET',
      url: '/health/live',
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-for': client },
    });
  const block = (cidr: string, extra: object = {}) =>
    h.request({
      method: 'POST',
      url: '/v1/admin/ip-blocks',
      headers: bearer(admin),
      payload: { cidr, ...extra },
    });
  const unblock = (cidr: string) =>
    h.request({
      method: 'DELETE',
      url: `/v1/admin/ip-blocks?cidr=${encodeURIComponent(cidr)}`,
      headers: bearer(admin),
    });

  it('spellings of one network make one row, and DELETE by any spelling lifts the block', async () => {
    for (const cidr of ['2001:0db8:abcd:0000::/48', '2001:DB8:ABCD::/48', '2001:db8:abcd::9/48']) {
      const res = await block(cidr);
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.json().cidr, '2001:db8:abcd::/48', 'the answer shows the canonical form');
    }
    const res = await block('192.0.2.77/24');
    assert.equal(res.json().cidr, '192.0.2.0/24');
    const rows = (await h.store.ipBlocks.list()).map((b) => b.cidr).sort();
    assert.deepEqual(rows, ['192.0.2.0/24', '2001:db8:abcd::/48']);
    assert.equal((await viaProxy('2001:db8:abcd::5')).statusCode, 403);
    assert.equal((await viaProxy('192.0.2.10')).statusCode, 403);

    assert.equal((await unblock('2001:db8:abcd:0::/48')).statusCode, 204);
    assert.equal((await unblock('192.0.2.200/24')).statusCode, 204);
    assert.equal((await viaProxy('2001:db8:abcd::5')).statusCode, 200);
    assert.equal((await viaProxy('192.0.2.10')).statusCode, 200);
    assert.deepEqual(await h.store.ipBlocks.list(), []);
  });

  it('a row stored in another spelling (before CIDRs were canonical) is still removed', async () => {
    await h.store.ipBlocks.add({
      cidr: '2001:0db8:00ef::/48',
      reason: null,
      createdAt: clock,
      expiresAt: null,
      source: 'admin',
    });
    assert.equal((await unblock('2001:db8:ef::/48')).statusCode, 204);
    assert.deepEqual(await h.store.ipBlocks.list(), []);
  });

  it('an IPv6 block covers IPv6 clients only; an IPv4-mapped block is an IPv4 block', async () => {
    assert.equal((await block('::/0', { expiresInSeconds: 60 })).statusCode, 201);
    assert.equal((await viaProxy('2001:db8:1::1')).statusCode, 403, 'all of IPv6');
    assert.equal((await viaProxy('198.51.100.9')).statusCode, 200, 'but no IPv4 client');
    assert.equal((await unblock('::/0')).statusCode, 204);

    const mapped = await block('::ffff:198.51.100.0/120');
    assert.equal(mapped.json().cidr, '198.51.100.0/24');
    assert.equal((await viaProxy('198.51.100.9')).statusCode, 403);
    assert.equal((await unblock('198.51.100.0/24')).statusCode, 204);
  });

  it('a forwarded ip:port is the ip; a forwarded value that is no IP reaches no audit row or log', async () => {
    assert.equal(
      (await viaProxy('127.52.3.4:5678')).statusCode,
      403,
      'static block, port stripped',
    );
    assert.equal((await viaProxy('[2001:db8::7]:443')).statusCode, 200);
    const hostile = 'evil\u0085\u009b[31m';
    const res = await h.request({
      method: 'GET',
      url: '/v1/usage',
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-for': hostile, ...bearer(admin) },
    });
    assert.equal(res.statusCode, 200);
    const audit = await h.request({
      method: 'GET',
      url: '/v1/admin/audit?route=%2Fv1%2Fusage',
      headers: bearer(admin),
    });
    const ips = (audit.json().entries as { ip: string }[]).map((e) => e.ip);
    assert.ok(ips.length >= 1);
    for (const ip of ips) assert.match(ip, /^(invalid:[0-9a-f]{16}|127\.0\.0\.1)$/);
    assert.ok(ips.some((ip) => ip.startsWith('invalid:')));
    for (const line of h.logs) assert.ok(!/[\u0085\u009b]|evil/.test(line), line);
  });

  it('expired blocks are deleted from the store within a prune interval', async () => {
    assert.equal((await block('203.0.113.0/24', { expiresInSeconds: 1 })).statusCode, 201);
    assert.equal((await h.store.ipBlocks.list()).length, 1);
    clock += PRUNE_INTERVAL_MS + 2_000;
    // Any refresh of the block list prunes once the interval has passed; an
    // admin change refreshes at once (the timer would within 5 s).
    assert.equal((await block('203.0.114.0/24')).statusCode, 201);
    assert.deepEqual(
      (await h.store.ipBlocks.list()).map((b) => b.cidr),
      ['203.0.114.0/24'],
      'the expired block was deleted, not only ignored',
    );
    assert.equal((await unblock('203.0.114.0/24')).statusCode, 204);
  });
});
