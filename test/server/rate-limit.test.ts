import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { forEachDialect, type DialectContext } from '../store/dialects.js';
import { bearer, startHarness, type Harness } from './fixtures/server-harness.js';
import { startDnsServer, type TestDnsServer } from '../world/dns-server.js';
import { createKeyService } from '../../src/server/keys/key-service.js';

const REDIS_URL = process.env.MAILVET_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function clearPrefix(redis: Redis, prefix: string): Promise<void> {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
}

function limitSuite(ctx: DialectContext, withRedis: boolean) {
  let h: Harness;
  let redis: Redis | null = null;
  const prefix = `mvtest-${randomBytes(4).toString('hex')}`;
  before(async () => {
    if (withRedis) redis = new Redis(REDIS_URL);
    // The prefix comes through the config (MAILVET_REDIS_KEY_PREFIX), as in production.
    h = await startHarness(ctx, {
      redis,
      config: { 'server.defaultRatePerMinute': 5, redisKeyPrefix: prefix },
    });
  });
  after(async () => {
    await h.close();
    if (redis) {
      await clearPrefix(redis, prefix);
      await redis.quit();
    }
  });

  const verify = (secret: string) =>
    h.request({
      method: 'POST',
      url: '/v1/verify',
      headers: bearer(secret),
      payload: { email: 'a@nowhere.test' },
    });

  it('default policy: headers on every authenticated response, then 429 with Retry-After', async () => {
    const secret = await h.key();
    for (let i = 0; i < 5; i++) {
      const res = await verify(secret);
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['ratelimit-policy'], '"key";q=5;w=60');
      assert.match(String(res.headers['ratelimit']), new RegExp(`^"key";r=${4 - i};t=\\d+$`));
    }
    const res = await verify(secret);
    assert.equal(res.statusCode, 429);
    assert.equal(res.json().type, 'urn:mailvet:problem:rate-limited');
    assert.match(String(res.headers['retry-after']), /^[1-9]\d*$/);
    assert.match(String(res.headers['ratelimit']), /^"key";r=0;t=\d+$/);
    const metrics = await h.metrics.registry.metrics();
    assert.match(metrics, /mailvet_rate_limit_rejections_total [1-9]/);
    if (redis)
      assert.ok((await redis.keys(`${prefix}:*`)).length > 0, 'limits live under the prefix');
  });

  it("a key's own policy overrides the default; allowances are per key", async () => {
    const generous = await h.key({ rate: '8/min' });
    const other = await h.key();
    for (let i = 0; i < 8; i++) assert.equal((await verify(generous)).statusCode, 200);
    assert.equal((await verify(generous)).statusCode, 429);
    assert.equal((await verify(other)).statusCode, 200, 'another key is unaffected');
  });

  it('a batch of n costs n', async () => {
    let secret = await h.key();
    const batch = (n: number) =>
      h.request({
        method: 'POST',
        url: '/v1/verify/batch',
        headers: bearer(secret),
        payload: { emails: Array.from({ length: n }, (_, i) => `u${i}@nowhere.test`) },
      });
    const first = await batch(3);
    assert.equal(first.statusCode, 200);
    assert.match(String(first.headers['ratelimit']), /r=2;/);
    assert.equal((await batch(3)).statusCode, 429, '3 more exceed the remaining 2');
    assert.equal((await batch(2)).statusCode, 200);
    // The allowance is now spent: even the first point is refused, before the body is read.
    const spent = await batch(1);
    assert.equal(spent.statusCode, 429);
    assert.match(spent.json().detail, /retry after/);
    // A batch larger than the whole allowance is told to split, and costs nothing.
    secret = await h.key();
    const tooBig = await batch(6);
    assert.equal(tooBig.statusCode, 429);
    assert.match(tooBig.json().detail, /costs 6/);
    assert.match(String(tooBig.headers['ratelimit']), /r=5;/);
    assert.equal((await batch(5)).statusCode, 200, 'the refused batch gave its points back');
  });
}

forEachDialect('rate limits (memory)', (ctx) => limitSuite(ctx, false));
forEachDialect('rate limits (Redis)', (ctx) => limitSuite(ctx, true));

forEachDialect('rate limits across two server processes on one Redis', (ctx) => {
  const prefix = `mvtest-${randomBytes(4).toString('hex')}`;
  const children: ChildProcess[] = [];
  const urls: string[] = [];
  let dns: TestDnsServer;
  let redis: Redis;
  let secret: string;

  before(async () => {
    redis = new Redis(REDIS_URL);
    dns = await startDnsServer({ zones: { 'nowhere.test': { rcode: 'NXDOMAIN' } } });
    const store = await ctx.open();
    secret = (
      await createKeyService(store).create({ name: 'shared', scopes: ['verify'], rate: '10/min' })
    ).key;
    for (let i = 0; i < 2; i++) {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'test/server/fixtures/serve-child.ts', prefix],
        {
          env: {
            ...process.env,
            ...ctx.env,
            REDIS_URL,
            MAILVET_PORT: '0',
            MAILVET_DNS: dns.address,
            MAILVET_SMTP: 'false',
            MAILVET_LOG_LEVEL: 'warn',
          },
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      children.push(child);
      const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
      urls.push(JSON.parse(line).url);
    }
  });

  after(async () => {
    for (const child of children) {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    }
    await dns.close();
    await clearPrefix(redis, prefix);
    await redis.quit();
  });

  it('the combined allowance holds: 10/min over both instances', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 16; i++) {
      const res = await fetch(`${urls[i % 2]}/v1/verify`, {
        method: 'POST',
        headers: { ...bearer(secret), 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'a@nowhere.test' }),
      });
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    assert.equal(statuses.filter((s) => s === 200).length, 10);
    assert.equal(statuses.filter((s) => s === 429).length, 6);
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(200));
  });

  it('SIGTERM shuts a child down cleanly (exit code 0)', async () => {
    const child = children[0];
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
  });
});

describe('redis keys', () => {
  it('hold no addresses or key ids (result cache keys are digests)', async () => {
    const { resultCacheKey } = await import('../../src/server/result-cache.js');
    assert.doesNotMatch(resultCacheKey('alice@example.com', true), /alice|example/);
  });
});
