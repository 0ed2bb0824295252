import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import diagnostics_channel from 'node:diagnostics_channel';
import { createMailResolver } from '../../../src/verify/dns/index.js';
import type { DnsOptions, MailResolver } from '../../../src/verify/dns/index.js';
import { startDnsServer } from '../../world/dns-server.js';
import type { TestDnsServer } from '../../world/dns-server.js';

const mx = (exchange: string, preference = 10) => ({ exchange, preference });

describe('mail resolver cache, single-flight, retries and close', () => {
  let dns: TestDnsServer;
  let clock = 1_000_000;
  const resolvers: MailResolver[] = [];
  const make = (options: DnsOptions = {}): MailResolver => {
    const resolver = createMailResolver({
      servers: [dns.address],
      timeoutMs: 300,
      tries: 1,
      minTtlSeconds: 60,
      maxTtlSeconds: 3_600,
      negativeTtlSeconds: 300,
      errorTtlSeconds: 0,
      now: () => clock,
      ...options,
    });
    resolvers.push(resolver);
    return resolver;
  };
  const advance = (seconds: number) => {
    clock += seconds * 1000;
  };

  before(async () => {
    dns = await startDnsServer({
      zones: {
        'cached.test': { mx: [mx('mx.cached.test')] },
        'mx.cached.test': { a: ['127.0.1.10'], ttl: 120 },
        'short.test': { mx: [mx('mx.short.test')] },
        'mx.short.test': { a: ['127.0.1.11'], ttl: 5 },
        'long.test': { mx: [mx('mx.long.test')] },
        'mx.long.test': { a: ['127.0.1.12'], ttl: 86_400 },
        'gone.test': { rcode: 'NXDOMAIN' },
        'broken.test': { rcode: 'SERVFAIL' },
        'herd.test': { delayMs: 50, mx: [mx('mx.herd.test')] },
        'mx.herd.test': { a: ['127.0.1.13'] },
        'flaky.test': { dropFirst: 1, mx: [mx('mx.flaky.test')] },
        'flaky1.test': { dropFirst: 1, mx: [mx('mx.flaky.test')] },
        'mx.flaky.test': { a: ['127.0.1.14'] },
        'slow.test': { delayMs: 5_000, mx: [mx('mx.cached.test')] },
        'lru-a.test': { a: ['127.0.1.15'] },
        'lru-b.test': { a: ['127.0.1.16'] },
        'lru-c.test': { a: ['127.0.1.17'] },
      },
    });
  });

  after(async () => {
    for (const resolver of resolvers) await resolver.close();
    await dns.close();
  });

  test('a second lookup is served from the cache: no new query reaches the server', async () => {
    const resolver = make();
    const first = await resolver.resolveMail('cached.test');
    const second = await resolver.resolveMail('cached.test');
    assert.deepEqual(second, first);
    assert.equal(dns.queries('cached.test', 'MX'), 1);
    assert.equal(dns.queries('mx.cached.test', 'A'), 1);
    assert.equal(dns.queries('mx.cached.test', 'AAAA'), 1);
  });

  test('entries expire with the record TTL on the injected clock', async () => {
    dns.resetQueries();
    const resolver = make();
    await resolver.resolveMail('cached.test'); // host TTL 120 s
    advance(119);
    await resolver.resolveMail('cached.test');
    assert.equal(dns.queries('cached.test', 'MX'), 1);
    dns.setZone('mx.cached.test', { a: ['127.0.1.20'], ttl: 120 });
    advance(2);
    const route = await resolver.resolveMail('cached.test');
    assert.equal(dns.queries('cached.test', 'MX'), 2);
    assert.deepEqual(route.kind === 'mx' && route.hosts[0].addresses, ['127.0.1.20']);
  });

  test('TTLs are clamped to [minTtlSeconds, maxTtlSeconds]', async () => {
    dns.resetQueries();
    const resolver = make({ minTtlSeconds: 60, maxTtlSeconds: 600 });
    await resolver.resolveMail('short.test'); // TTL 5 s, raised to 60 s
    await resolver.resolveMail('long.test'); // TTL 1 day, lowered to 600 s
    advance(30);
    await resolver.resolveMail('short.test');
    assert.equal(dns.queries('short.test', 'MX'), 1);
    advance(31);
    await resolver.resolveMail('short.test');
    assert.equal(dns.queries('short.test', 'MX'), 2);
    advance(540);
    await resolver.resolveMail('long.test');
    assert.equal(dns.queries('long.test', 'MX'), 2);
  });

  test('negative answers are cached for negativeTtlSeconds', async () => {
    dns.resetQueries();
    const resolver = make({ negativeTtlSeconds: 300 });
    assert.deepEqual(await resolver.resolveMail('gone.test'), { kind: 'nxdomain' });
    dns.setZone('gone.test', { a: ['127.0.1.21'] });
    advance(299);
    assert.deepEqual(await resolver.resolveMail('gone.test'), { kind: 'nxdomain' });
    assert.equal(dns.queries('gone.test', 'MX'), 1);
    advance(2);
    assert.equal((await resolver.resolveMail('gone.test')).kind, 'implicit');
    assert.equal(dns.queries('gone.test', 'MX'), 2);
    dns.setZone('gone.test', { rcode: 'NXDOMAIN' });
  });

  test('temporary failures are not cached with errorTtlSeconds 0, briefly otherwise', async () => {
    dns.resetQueries();
    const uncached = make({ errorTtlSeconds: 0 });
    await uncached.resolveMail('broken.test');
    await uncached.resolveMail('broken.test');
    assert.equal(dns.queries('broken.test', 'MX'), 2);

    const brief = make({ errorTtlSeconds: 5 });
    const route = await brief.resolveMail('broken.test');
    assert.equal(route.kind === 'error' && route.error, 'servfail');
    advance(4);
    await brief.resolveMail('broken.test');
    assert.equal(dns.queries('broken.test', 'MX'), 3);
    advance(2);
    await brief.resolveMail('broken.test');
    assert.equal(dns.queries('broken.test', 'MX'), 4);
  });

  test('1,000 concurrent lookups of one domain send exactly one MX query', async () => {
    dns.resetQueries();
    const resolver = make();
    const routes = await Promise.all(
      Array.from({ length: 1_000 }, () => resolver.resolveMail('herd.test')),
    );
    assert.equal(dns.queries('herd.test', 'MX'), 1);
    assert.equal(dns.queries('mx.herd.test', 'A'), 1);
    for (const route of routes) {
      assert.deepEqual(route, {
        kind: 'mx',
        hosts: [{ exchange: 'mx.herd.test', preference: 10, addresses: ['127.0.1.13'] }],
      });
    }
  });

  test('a lost query is retried when tries > 1, and times out when tries = 1', async () => {
    dns.resetQueries();
    const retrying = make({ tries: 2, timeoutMs: 200 });
    assert.equal((await retrying.resolveMail('flaky.test')).kind, 'mx');
    assert.equal(dns.queries('flaky.test', 'MX'), 2);

    const once = make({ tries: 1, timeoutMs: 200 });
    const route = await once.resolveMail('flaky1.test');
    assert.equal(route.kind === 'error' && route.error, 'timeout');
    assert.equal(dns.queries('flaky1.test', 'MX'), 1);
  });

  test('the least recently used entry is evicted when the cache is full', async () => {
    dns.resetQueries();
    const resolver = make({ cacheSize: 2 });
    await resolver.resolveMail('lru-a.test');
    await resolver.resolveMail('lru-b.test');
    await resolver.resolveMail('lru-a.test'); // a is now the most recent
    await resolver.resolveMail('lru-c.test'); // evicts b
    await resolver.resolveMail('lru-a.test');
    assert.equal(dns.queries('lru-a.test', 'MX'), 1);
    await resolver.resolveMail('lru-b.test');
    assert.equal(dns.queries('lru-b.test', 'MX'), 2);
  });

  test('cacheSize 0 turns caching off', async () => {
    dns.resetQueries();
    const resolver = make({ cacheSize: 0 });
    await resolver.resolveMail('cached.test');
    await resolver.resolveMail('cached.test');
    assert.equal(dns.queries('cached.test', 'MX'), 2);
  });

  test('cache and query events are published on the diagnostics channels', async () => {
    const cacheEvents: unknown[] = [];
    const queryEvents: { seconds: number; rcode: string }[] = [];
    const onCache = (message: unknown) => cacheEvents.push(message);
    const onQuery = (message: unknown) => queryEvents.push(message as never);
    diagnostics_channel.subscribe('mailvet:dns:cache', onCache);
    diagnostics_channel.subscribe('mailvet:dns:query', onQuery);
    try {
      const resolver = make();
      await resolver.resolveMail('cached.test');
      await resolver.resolveMail('cached.test');
      await resolver.resolveMail('gone.test');
      await resolver.resolveMail('gone.test');
    } finally {
      diagnostics_channel.unsubscribe('mailvet:dns:cache', onCache);
      diagnostics_channel.unsubscribe('mailvet:dns:query', onQuery);
    }
    assert.deepEqual(cacheEvents, [
      { hit: false, kind: 'positive' },
      { hit: true, kind: 'positive' },
      { hit: false, kind: 'negative' },
      { hit: true, kind: 'negative' },
    ]);
    // MX + A + AAAA for cached.test, MX for gone.test.
    assert.deepEqual(
      queryEvents.map((e) => e.rcode),
      ['NOERROR', 'NOERROR', 'NOERROR', 'NXDOMAIN'],
    );
    assert.ok(queryEvents.every((e) => typeof e.seconds === 'number' && e.seconds >= 0));
  });

  test('close() ends in-flight lookups as errors and refuses new ones', async () => {
    const resolver = make({ timeoutMs: 10_000 });
    const pending = resolver.resolveMail('slow.test');
    await new Promise((resolve) => setImmediate(resolve));
    await resolver.close();
    const route = await pending;
    assert.equal(route.kind, 'error');
    await assert.rejects(resolver.resolveMail('cached.test'), { code: 'MV_ERR_CLOSED' });
    await resolver.close(); // idempotent
  });
});
