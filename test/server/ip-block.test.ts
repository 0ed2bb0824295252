import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachDialect } from '../store/dialects.js';
import { bearer, startHarness, type Harness } from './fixtures/server-harness.js';

/*
 * Requests come over real sockets, and the client address the server sees is
 * the one the client socket is bound to: any of 127.0.0.0/8, which all routes
 * to loopback. So the blocked and unblocked clients here live in 127.x ranges.
 * IPv6 clients cannot be bound on loopback (only ::1 exists there); they reach
 * the app the way they do in production behind a proxy: as X-Forwarded-For
 * from the trusted proxy, 127.0.0.1.
 */
forEachDialect('IP blocks', (ctx) => {
  let h: Harness;
  let clock = Date.now();
  let admin: string;
  before(async () => {
    h = await startHarness(ctx, {
      now: () => clock,
      config: {
        'server.blockCidrs': ['127.51.100.0/24', '2001:db8:bad::/48'],
        'server.authFailureThreshold': 3,
        'server.authFailureWindowSeconds': 60,
        'server.authBlockSeconds': 120,
        'server.trustProxy': '127.0.0.1',
      },
    });
    admin = await h.key({ scopes: ['admin'] });
  });
  after(() => h.close());

  const live = (remoteAddress: string, headers: Record<string, string> = {}) =>
    h.request({ method: 'GET', url: '/health/live', remoteAddress, headers });
  /** A client the trusted proxy forwards for. */
  const viaProxy = (client: string) => live('127.0.0.1', { 'x-forwarded-for': client });

  it('static CIDRs (IPv4 and IPv6) get 403 problem+json before any work', async () => {
    const res = await live('127.51.100.7');
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().type, 'urn:mailvet:problem:ip-blocked');
    assert.equal((await viaProxy('2001:db8:bad:1::5')).statusCode, 403);
    assert.equal(
      (await viaProxy('::ffff:127.51.100.9')).statusCode,
      403,
      'IPv4-mapped IPv6 is the same client',
    );
    assert.equal((await live('127.51.101.7')).statusCode, 200);
    assert.equal((await viaProxy('2001:db8:bae::1')).statusCode, 200);
  });

  it('a blocked client is refused before authentication (no auth failure counted)', async () => {
    const before = await h.metrics.registry.getSingleMetricAsString('mailvet_auth_failures_total');
    const res = await h.request({
      method: 'POST',
      url: '/v1/verify',
      remoteAddress: '127.51.100.8',
      payload: { email: 'x' },
    });
    assert.equal(res.statusCode, 403);
    assert.equal(
      await h.metrics.registry.getSingleMetricAsString('mailvet_auth_failures_total'),
      before,
    );
  });

  it('X-Forwarded-For is believed only from the trusted proxy', async () => {
    assert.equal((await viaProxy('127.51.100.20')).statusCode, 403);
    assert.equal((await live('127.0.113.50', { 'x-forwarded-for': '192.0.2.1' })).statusCode, 200);
    assert.equal(
      (await live('127.51.100.21', { 'x-forwarded-for': '192.0.2.1' })).statusCode,
      403,
      'an untrusted peer cannot launder itself',
    );
  });

  it('admin blocks: add, enforce, list, remove', async () => {
    const add = await h.request({
      method: 'POST',
      url: '/v1/admin/ip-blocks',
      headers: bearer(admin),
      payload: { cidr: '127.0.113.0/28', reason: 'abuse' },
    });
    assert.equal(add.statusCode, 201);
    assert.equal(add.json().source, 'admin');
    assert.equal((await live('127.0.113.5')).statusCode, 403);
    assert.equal((await live('127.0.113.17')).statusCode, 200);
    const list = await h.request({
      method: 'GET',
      url: '/v1/admin/ip-blocks',
      headers: bearer(admin),
    });
    const cidrs = list.json().blocks.map((b: { cidr: string }) => b.cidr);
    assert.ok(cidrs.includes('127.0.113.0/28'));
    assert.ok(cidrs.includes('127.51.100.0/24'), 'static blocks are listed too');
    const del = await h.request({
      method: 'DELETE',
      url: '/v1/admin/ip-blocks?cidr=127.0.113.0%2F28',
      headers: bearer(admin),
    });
    assert.equal(del.statusCode, 204);
    assert.equal((await live('127.0.113.5')).statusCode, 200);
    const again = await h.request({
      method: 'DELETE',
      url: '/v1/admin/ip-blocks?cidr=127.0.113.0%2F28',
      headers: bearer(admin),
    });
    assert.equal(again.statusCode, 404);
  });

  it('admin blocks reject malformed CIDRs with 400', async () => {
    for (const cidr of ['300.1.1.1', '10.0.0.0/33', '::1/129', 'abc', '1.2.3.4/24/1']) {
      const res = await h.request({
        method: 'POST',
        url: '/v1/admin/ip-blocks',
        headers: bearer(admin),
        payload: { cidr },
      });
      assert.equal(res.statusCode, 400, cidr);
    }
  });

  it('repeated auth failures block the IP temporarily; the block expires', async () => {
    const ip = '127.0.2.77';
    const attempt = () =>
      h.request({
        method: 'POST',
        url: '/v1/verify',
        remoteAddress: ip,
        headers: bearer('mv_live_wrong'),
        payload: { email: 'a@b.test' },
      });
    for (let i = 0; i < 3; i++) assert.equal((await attempt()).statusCode, 401);
    assert.equal(
      (await attempt()).statusCode,
      401,
      'the failure that crosses the threshold still answers 401',
    );
    assert.equal((await live(ip)).statusCode, 403, 'now blocked, even on public routes');
    assert.equal((await live('127.0.2.78')).statusCode, 200, 'neighbours are not');
    const stored = await h.store.ipBlocks.active(clock);
    assert.ok(
      stored.some((b) => b.cidr === ip && b.source === 'auto'),
      'stored so every instance enforces it',
    );
    clock += 121_000;
    assert.equal((await live(ip)).statusCode, 200, 'expired');
    const metrics = await h.metrics.registry.metrics();
    assert.match(metrics, /mailvet_ip_blocked_requests_total\{source="auto"\} [1-9]/);
    assert.match(metrics, /mailvet_ip_blocked_requests_total\{source="static"\} [1-9]/);
  });
});
