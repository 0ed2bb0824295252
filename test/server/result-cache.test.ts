import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Redis } from 'ioredis';
import { forEachDialect } from '../store/dialects.js';
import { bearer, startHarness, type Harness } from './fixtures/server-harness.js';
import {
  clearRedisPrefix,
  startInstancePair,
  type InstancePair,
} from './fixtures/instance-pair.js';
import { openCachedResult, resultCacheKey } from '../../src/server/result-cache.js';

/*
 * The result cache through the app over real HTTP: in process memory (with
 * an injected clock for its TTL) and in Redis (127.0.0.1:6379, a key prefix
 * of its own per run, deleted afterwards). A temporary DNS failure (SERVFAIL
 * from the loopback DNS server) is the retryable `unknown` answer that must
 * never be cached.
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const verify = (h: Harness, secret: string, email: string) =>
  h.request({ method: 'POST', url: '/v1/verify', headers: bearer(secret), payload: { email } });

const batch = (h: Harness, secret: string, emails: string[]) =>
  h.request({
    method: 'POST',
    url: '/v1/verify/batch',
    headers: bearer(secret),
    payload: { emails },
  });

/** Verify an address of `broken.test` and check it is the retryable temporary failure. */
async function verifyBroken(h: Harness, secret: string, email: string): Promise<Json> {
  const result = (await verify(h, secret, email)).json() as Json;
  assert.equal(result.status, 'unknown');
  assert.equal(result.reason, 'dns_error');
  assert.equal(result.retryable, true);
  return result;
}

/** Make the harness's DNS server answer SERVFAIL for `broken.test`. */
function breakDns(h: Harness): Harness {
  h.dns.setZone('broken.test', { rcode: 'SERVFAIL' });
  return h;
}

forEachDialect('result cache in memory', (ctx) => {
  let h: Harness;
  let secret: string;
  let clock = Date.now();
  before(async () => {
    h = breakDns(
      await startHarness(ctx, {
        now: () => clock,
        config: { 'server.resultCacheTtlSeconds': 60 },
      }),
    );
    secret = await h.key();
  });
  after(() => h.close());

  it('an entry answers until its TTL has passed, then the engine is asked again', async () => {
    const email = 'ttl@example.test';
    assert.equal((await verify(h, secret, email)).json().cached, undefined);
    clock += 59_999;
    assert.equal((await verify(h, secret, email)).json().cached, true, 'still within the TTL');
    clock += 1;
    const expired = await verify(h, secret, email);
    assert.equal(expired.statusCode, 200);
    assert.equal(expired.json().cached, undefined, 'expired at exactly the TTL');
    assert.equal(expired.json().status, 'unknown');
    assert.equal(expired.json().reason, 'smtp_skipped');
    assert.equal((await verify(h, secret, email)).json().cached, true, 'stored again');
  });

  it('a retryable answer (temporary DNS failure) is not cached', async () => {
    const email = 'someone@broken.test';
    await verifyBroken(h, secret, email);
    const second = await verifyBroken(h, secret, email);
    assert.equal(second.cached, undefined, 'answered by the engine again');
  });
});

forEachDialect('result cache in Redis', (ctx) => {
  const TTL_SECONDS = 30;
  let pair: InstancePair;
  let redis: Redis;
  let prefix: string;
  let a: Harness;
  let b: Harness;
  let secret: string;
  const resultKey = (email: string, smtp = false) =>
    `${prefix}:result:${resultCacheKey(email, smtp)}`;
  const resultKeys = () => redis.keys(`${prefix}:result:*`);

  before(async () => {
    pair = await startInstancePair(ctx, {
      redis: true,
      config: { 'server.resultCacheTtlSeconds': TTL_SECONDS },
    });
    ({ a, b, prefix } = pair);
    redis = pair.redis!;
    for (const h of [a, b]) breakDns(h);
    secret = await a.key();
  });
  after(() => pair.close());

  it('a second verify answers cached: true from an entry under the prefix, keyed by a digest', async () => {
    const email = 'Repeat.Me@nowhere.test';
    const first = await verify(a, secret, email);
    assert.equal(first.statusCode, 200);
    assert.equal(first.json().cached, undefined);
    assert.deepEqual(await resultKeys(), [resultKey(email)]);
    const sealed = (await redis.get(resultKey(email)))!;
    const stored = openCachedResult(email, false, sealed) as unknown as Json;
    assert.equal(stored.reason, 'no_such_domain');
    assert.equal(stored.cached, undefined, 'the stored result is the engine answer');

    const queries = a.dns.totalQueries();
    const second = await verify(a, secret, email);
    assert.equal(second.statusCode, 200);
    assert.equal(second.json().cached, true);
    assert.equal(second.json().email, email);
    assert.equal(second.json().reason, 'no_such_domain');
    assert.equal(a.dns.totalQueries(), queries, 'no DNS query for a cached answer');
    const metrics = await a.metrics.registry.metrics();
    assert.match(metrics, /mailvet_result_cache_lookups_total\{result="hit"\} [1-9]/);

    // The SMTP option is part of the key: the same address with SMTP is another entry.
    assert.notEqual(resultKey(email, true), resultKey(email, false));
  });

  it('key names hold no address, local part or domain', async () => {
    await verify(a, secret, 'private.person@example.test');
    const keys = await redis.keys(`${prefix}:*`);
    assert.ok(keys.length >= 2);
    for (const key of keys) {
      assert.match(key, new RegExp(`^${prefix}:`));
      for (const part of ['private.person', 'example.test', 'nowhere.test', 'repeat.me', '@'])
        assert.ok(!key.toLowerCase().includes(part), `${key} contains ${part}`);
    }
    for (const key of await resultKeys())
      assert.match(key, new RegExp(`^${prefix}:result:[A-Za-z0-9_-]{43}$`), 'a SHA-256 digest');
  });

  it('values are sealed: no address or verdict readable, and only the address opens them', async () => {
    const email = 'sealed.person@nowhere.test';
    await verify(a, secret, email);
    const sealed = (await redis.get(resultKey(email)))!;
    assert.match(sealed, /^[A-Za-z0-9_-]+$/);
    const raw = Buffer.from(sealed, 'base64url').toString('latin1').toLowerCase();
    for (const part of ['sealed.person', 'nowhere.test', 'no_such_domain', 'reason'])
      assert.ok(!raw.includes(part), `the stored value shows ${part}`);
    assert.equal(openCachedResult('other@nowhere.test', false, sealed), undefined);
    assert.equal(
      openCachedResult(email, true, sealed),
      undefined,
      'the SMTP flag is part of the key',
    );
    assert.equal((openCachedResult(email, false, sealed) as unknown as Json).email, email);

    // A value altered in Redis is a miss, verified afresh, not an error.
    const bytes = Buffer.from(sealed, 'base64url');
    const last = bytes.length - 1;
    bytes.writeUInt8(bytes.readUInt8(last) ^ 1, last);
    await redis.set(resultKey(email), bytes.toString('base64url'), 'EX', 30);
    const again = await verify(a, secret, email);
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().cached, undefined);
    assert.equal(again.json().reason, 'no_such_domain');
  });

  it('the entry carries the configured TTL in Redis', async () => {
    const email = 'ttl@nowhere.test';
    await verify(a, secret, email);
    const pttl = await redis.pttl(resultKey(email));
    assert.ok(pttl > 0 && pttl <= TTL_SECONDS * 1000, `PTTL ${pttl}`);
    assert.ok(pttl > (TTL_SECONDS - 5) * 1000, `PTTL ${pttl} is the configured TTL, not less`);
  });

  it('a second instance on the same Redis answers from the first one’s entry', async () => {
    const email = 'shared@example.test';
    const first = await verify(a, secret, email);
    assert.equal(first.json().cached, undefined);
    const before = b.dns.totalQueries();
    const second = await verify(b, secret, email);
    assert.equal(second.statusCode, 200);
    assert.equal(second.json().cached, true, 'instance b answers from the shared cache');
    assert.deepEqual(second.json().dns, first.json().dns);
    assert.equal(b.dns.totalQueries(), before, 'instance b did not resolve the domain');
  });

  it('a retryable answer (temporary DNS failure) is not written to Redis', async () => {
    const email = 'someone@broken.test';
    await verifyBroken(a, secret, email);
    assert.equal(await redis.exists(resultKey(email)), 0);
    const again = await verifyBroken(b, secret, email);
    assert.equal(again.cached, undefined);
    assert.equal(await redis.exists(resultKey(email)), 0);
  });

  it('batch: hits come from Redis, misses are verified and stored, retryable ones are not', async () => {
    const first = await batch(a, secret, ['b1@nowhere.test', 'b2@example.test', 'b3@broken.test']);
    assert.equal(first.statusCode, 200);
    const one = first.json().results as Json[];
    assert.deepEqual(
      one.map((r) => r.cached),
      [undefined, undefined, undefined],
    );
    assert.equal(await redis.exists(resultKey('b1@nowhere.test')), 1);
    assert.equal(await redis.exists(resultKey('b2@example.test')), 1);
    assert.equal(await redis.exists(resultKey('b3@broken.test')), 0);

    // On the other instance: cached and uncached addresses mixed, in input order.
    const emails = ['b4@nowhere.test', 'b2@example.test', 'b3@broken.test', 'b1@nowhere.test'];
    const second = await batch(b, secret, emails);
    assert.equal(second.statusCode, 200);
    const two = second.json().results as Json[];
    assert.deepEqual(
      two.map((r) => r.email),
      emails,
    );
    assert.deepEqual(
      two.map((r) => r.cached),
      [undefined, true, undefined, true],
    );
    assert.deepEqual(
      two.map((r) => r.reason),
      ['no_such_domain', 'smtp_skipped', 'dns_error', 'no_such_domain'],
    );
    assert.equal(await redis.exists(resultKey('b4@nowhere.test')), 1, 'the miss was stored');
    assert.equal(await redis.exists(resultKey('b3@broken.test')), 0);
  });

  it('an entry expires in Redis after its TTL (1 s), and is then verified afresh', async () => {
    const shortPrefix = `${prefix}-short`;
    const h = await startHarness(ctx, {
      redis,
      store: a.store,
      config: { 'server.resultCacheTtlSeconds': 1, redisKeyPrefix: shortPrefix },
    });
    try {
      const email = 'brief@nowhere.test';
      const key = `${shortPrefix}:result:${resultCacheKey(email, false)}`;
      await verify(h, secret, email);
      const pttl = await redis.pttl(key);
      assert.ok(pttl > 0 && pttl <= 1000, `PTTL ${pttl}`);
      assert.equal((await verify(h, secret, email)).json().cached, true);
      await new Promise((r) => setTimeout(r, 1100));
      assert.equal(await redis.exists(key), 0, 'Redis dropped the entry');
      const after = await verify(h, secret, email);
      assert.equal(after.json().cached, undefined);
      assert.equal(after.json().reason, 'no_such_domain');
    } finally {
      await h.close();
      await clearRedisPrefix(redis, shortPrefix);
    }
  });
});
