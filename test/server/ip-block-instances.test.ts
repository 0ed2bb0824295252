import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { forEachDialect } from '../store/dialects.js';
import { bearer, type Harness } from './fixtures/server-harness.js';
import { startInstancePair, type InstancePair } from './fixtures/instance-pair.js';
import { DEFAULT_BLOCK_REFRESH_MS } from '../../src/server/ip-blocker.js';

/*
 * Automatic IP blocks with two instances of the service on one database:
 * what is shared is (1) the auth-failure count, only through Redis, and (2)
 * the block itself, through the database, which each instance re-reads every
 * DEFAULT_BLOCK_REFRESH_MS. Clients are 127.x addresses bound by the client
 * socket, over real HTTP.
 */

const THRESHOLD = 3;
const CONFIG = {
  'server.authFailureThreshold': THRESHOLD,
  'server.authFailureWindowSeconds': 60,
  'server.authBlockSeconds': 120,
};

const failAuth = (h: Harness, ip: string) =>
  h.request({
    method: 'POST',
    url: '/v1/verify',
    remoteAddress: ip,
    headers: bearer('mv_live_wrong'),
    payload: { email: 'a@nowhere.test' },
  });

const live = async (h: Harness, ip: string) =>
  (await h.request({ method: 'GET', url: '/health/live', remoteAddress: ip })).statusCode;

/** Poll until `ip` gets 403 from `h`, at most `withinMs`; the status last seen. */
async function waitForBlock(h: Harness, ip: string, withinMs: number): Promise<number> {
  const deadline = Date.now() + withinMs;
  let status = await live(h, ip);
  while (status !== 403 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    status = await live(h, ip);
  }
  return status;
}

forEachDialect('automatic IP blocks across two instances', (ctx) => {
  describe('sharing one Redis', () => {
    let pair: InstancePair;
    let redis: Redis;
    let prefix: string;
    let a: Harness;
    let b: Harness;
    before(async () => {
      pair = await startInstancePair(ctx, { redis: true, config: CONFIG });
      ({ a, b, prefix } = pair);
      redis = pair.redis!;
    });
    after(() => pair.close());

    it('failures split across the instances add up; the block reaches both', async () => {
      const ip = '127.0.3.1';
      // a, b, a: three failures, the threshold, counted once in Redis.
      for (const h of [a, b, a]) assert.equal((await failAuth(h, ip)).statusCode, 401);
      const counters = await redis.keys(`${prefix}:authfail:*`);
      assert.deepEqual(counters, [`${prefix}:authfail:${THRESHOLD}/60:${ip}`]);
      assert.equal(await redis.get(counters[0]), String(THRESHOLD), 'one count for both');
      assert.equal(await live(a, ip), 200, 'not blocked at the threshold');
      assert.equal(await live(b, ip), 200);

      // The fourth, on b, crosses it: b blocks at once and stores the block.
      assert.equal((await failAuth(b, ip)).statusCode, 401);
      assert.equal(await live(b, ip), 403);
      const stored = await a.store.ipBlocks.active(Date.now());
      assert.ok(stored.some((x) => x.cidr === ip && x.source === 'auto'));
      // a learns of it from the database at its next refresh.
      assert.equal(await waitForBlock(a, ip, DEFAULT_BLOCK_REFRESH_MS + 3000), 403);
      assert.equal(await live(a, '127.0.3.2'), 200, 'neighbours are not blocked');
      assert.deepEqual(
        await redis.keys(`${prefix}:authfail:*`),
        [],
        'the count is cleared once the block exists',
      );
    });
  });

  describe('an admin block and a stale instance', () => {
    let pair: InstancePair;
    let a: Harness;
    let b: Harness;
    before(async () => {
      pair = await startInstancePair(ctx, { redis: true, config: CONFIG });
      ({ a, b } = pair);
    });
    after(() => pair.close());

    it('failures on an instance that has not seen the admin block leave it permanent', async () => {
      const ip = '127.0.3.20';
      const admin = await a.key({ scopes: ['admin'] });
      const added = await a.request({
        method: 'POST',
        url: '/v1/admin/ip-blocks',
        headers: bearer(admin),
        payload: { cidr: ip, reason: 'abuse desk' },
      });
      assert.equal(added.statusCode, 201);
      assert.equal(await live(a, ip), 403);
      // b re-reads blocks only every few seconds: right now it still lets ip in.
      assert.equal(await live(b, ip), 200, 'b has not refreshed yet');
      for (let i = 0; i <= THRESHOLD; i++) assert.equal((await failAuth(b, ip)).statusCode, 401);

      const rows = (await a.store.ipBlocks.list()).filter((x) => x.cidr === ip);
      assert.deepEqual(
        rows.map((x) => [x.source, x.expiresAt, x.reason]),
        [['admin', null, 'abuse desk']],
        'the automatic block did not replace the permanent one',
      );
      // b took the stored block when its own insert lost.
      assert.equal(await live(b, ip), 403);
    });
  });

  describe('without Redis', () => {
    let pair: InstancePair;
    let a: Harness;
    let b: Harness;
    before(async () => {
      pair = await startInstancePair(ctx, { redis: false, config: CONFIG });
      ({ a, b } = pair);
    });
    after(() => pair.close());

    it('each instance counts its own failures', async () => {
      const ip = '127.0.3.9';
      // Six failures in all, three per instance: neither crosses its own threshold.
      for (const h of [a, b, a, b, a, b]) assert.equal((await failAuth(h, ip)).statusCode, 401);
      assert.equal(await live(a, ip), 200);
      assert.equal(await live(b, ip), 200);
      // The fourth on a crosses a's own count.
      assert.equal((await failAuth(a, ip)).statusCode, 401);
      assert.equal(await live(a, ip), 403);
      const stored = await a.store.ipBlocks.active(Date.now());
      assert.ok(stored.some((x) => x.cidr === ip && x.source === 'auto'));
    });
  });
});
