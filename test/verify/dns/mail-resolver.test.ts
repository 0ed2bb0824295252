import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createMailResolver } from '../../../src/verify/dns/index.js';
import type { MailResolver } from '../../../src/verify/dns/index.js';
import { startDnsServer } from '../../world/dns-server.js';
import type { TestDnsServer } from '../../world/dns-server.js';

const mx = (exchange: string, preference: number) => ({ exchange, preference });
const manyHost = (i: number) => `m${String(i).padStart(2, '0')}.many.test`;

describe('createMailResolver against a loopback DNS server', () => {
  let dns: TestDnsServer;
  let resolver: MailResolver;

  before(async () => {
    dns = await startDnsServer({
      zones: {
        'example.test': {
          mx: [mx('MX2.Example.Test.', 20), mx('b.example.test', 10), mx('a.example.test', 10)],
        },
        'a.example.test': { a: ['127.0.1.1', '127.0.1.2'], aaaa: ['::1'] },
        'b.example.test': { aaaa: ['fd00::2'] },
        'mx2.example.test': { a: ['127.0.1.3'] },
        'implicit-a.test': { a: ['127.0.1.4'], aaaa: ['fd00::4'] },
        'implicit-aaaa.test': { aaaa: ['fd00::5'] },
        'nullmx.test': { mx: [mx('.', 0)] },
        'nullmix.test': { mx: [mx('.', 0), mx('real.nullmix.test', 10)] },
        'real.nullmix.test': { a: ['127.0.1.6'] },
        'empty.test': {},
        'host.ent.test': { a: ['127.0.1.8'] }, // makes ent.test an empty non-terminal
        'gone.test': { rcode: 'NXDOMAIN' },
        'broken.test': { rcode: 'SERVFAIL' },
        'refused.test': { rcode: 'REFUSED' },
        'slow.test': { delayMs: 5_000, mx: [mx('a.example.test', 10)] },
        'deadhosts.test': { mx: [mx('nx1.deadhosts.test', 10), mx('nodata.deadhosts.test', 20)] },
        'nodata.deadhosts.test': {},
        'partial.test': { mx: [mx('nx.partial.test', 5), mx('a.example.test', 10)] },
        'tempfail.test': { mx: [mx('sf.tempfail.test', 10), mx('nx.tempfail.test', 20)] },
        'sf.tempfail.test': { rcode: 'SERVFAIL' },
        'halfbroken.test': { mx: [mx('h.halfbroken.test', 10)] },
        'h.halfbroken.test': { a: ['127.0.1.7'], byType: { AAAA: { rcode: 'SERVFAIL' } } },
        // 40 MX records overflow a 512-byte UDP answer: the resolver must retry over TCP.
        'many.test': { mx: Array.from({ length: 40 }, (_, i) => mx(manyHost(i), i)) },
        ...Object.fromEntries(
          Array.from({ length: 40 }, (_, i) => [
            manyHost(i),
            { a: Array.from({ length: 8 }, (_, j) => `127.0.9.${j + 1}`) },
          ]),
        ),
      },
    });
    resolver = createMailResolver({ servers: [dns.address], timeoutMs: 300, tries: 1 });
  });

  after(async () => {
    await resolver.close();
    await dns.close();
  });

  test('MX hosts are sorted by preference then name, lower-cased, with A before AAAA', async () => {
    const route = await resolver.resolveMail('Example.TEST.');
    assert.deepEqual(route, {
      kind: 'mx',
      hosts: [
        {
          exchange: 'a.example.test',
          preference: 10,
          addresses: ['127.0.1.1', '127.0.1.2', '::1'],
        },
        { exchange: 'b.example.test', preference: 10, addresses: ['fd00::2'] },
        { exchange: 'mx2.example.test', preference: 20, addresses: ['127.0.1.3'] },
      ],
    });
  });

  test('no MX but A/AAAA: implicit MX on the domain itself', async () => {
    assert.deepEqual(await resolver.resolveMail('implicit-a.test'), {
      kind: 'implicit',
      hosts: [{ exchange: 'implicit-a.test', preference: 0, addresses: ['127.0.1.4', 'fd00::4'] }],
    });
  });

  test('implicit MX with only an AAAA record', async () => {
    assert.deepEqual(await resolver.resolveMail('implicit-aaaa.test'), {
      kind: 'implicit',
      hosts: [{ exchange: 'implicit-aaaa.test', preference: 0, addresses: ['fd00::5'] }],
    });
  });

  test('a lone "." exchange is a null MX', async () => {
    assert.deepEqual(await resolver.resolveMail('nullmx.test'), { kind: 'null_mx' });
  });

  test('"." beside real MX hosts is ignored, the real hosts are used', async () => {
    const route = await resolver.resolveMail('nullmix.test');
    assert.equal(route.kind, 'mx');
    assert.deepEqual(route.kind === 'mx' && route.hosts.map((h) => h.exchange), [
      'real.nullmix.test',
    ]);
  });

  test('NXDOMAIN, NODATA, SERVFAIL, REFUSED and timeout are told apart', async () => {
    assert.deepEqual(await resolver.resolveMail('gone.test'), { kind: 'nxdomain' });
    assert.deepEqual(await resolver.resolveMail('not-in-zone.test'), { kind: 'nxdomain' });
    assert.deepEqual(await resolver.resolveMail('empty.test'), { kind: 'no_mail_server' });
    assert.deepEqual(await resolver.resolveMail('ent.test'), { kind: 'no_mail_server' });
    const servfail = await resolver.resolveMail('broken.test');
    assert.equal(servfail.kind === 'error' && servfail.error, 'servfail');
    const refused = await resolver.resolveMail('refused.test');
    assert.equal(refused.kind === 'error' && refused.error, 'refused');
    const timeout = await resolver.resolveMail('slow.test');
    assert.equal(timeout.kind === 'error' && timeout.error, 'timeout');
  });

  test('MX hosts that do not resolve definitively: no_mail_server', async () => {
    assert.deepEqual(await resolver.resolveMail('deadhosts.test'), { kind: 'no_mail_server' });
  });

  test('an MX host without addresses is kept with its addressError', async () => {
    const route = await resolver.resolveMail('partial.test');
    assert.deepEqual(route, {
      kind: 'mx',
      hosts: [
        { exchange: 'nx.partial.test', preference: 5, addresses: [], addressError: 'nxdomain' },
        {
          exchange: 'a.example.test',
          preference: 10,
          addresses: ['127.0.1.1', '127.0.1.2', '::1'],
        },
      ],
    });
  });

  test('no host resolves and one failure was temporary: error, never no_mail_server', async () => {
    const route = await resolver.resolveMail('tempfail.test');
    assert.equal(route.kind, 'error');
    assert.equal(route.kind === 'error' && route.error, 'servfail');
  });

  test('one family failing temporarily does not hide the other', async () => {
    assert.deepEqual(await resolver.resolveMail('halfbroken.test'), {
      kind: 'mx',
      hosts: [{ exchange: 'h.halfbroken.test', preference: 10, addresses: ['127.0.1.7'] }],
    });
  });

  test('MX hosts and addresses per host are capped; a truncated answer is fetched over TCP', async () => {
    const route = await resolver.resolveMail('many.test');
    assert.ok(dns.tcpQueries() >= 1);
    assert.equal(route.kind, 'mx');
    if (route.kind !== 'mx') return;
    assert.equal(route.hosts.length, 10);
    assert.equal(route.hosts[9].exchange, 'm09.many.test');
    assert.ok(route.hosts.every((h) => h.addresses.length === 5));
    assert.equal(dns.queries('m10.many.test', 'A'), 0);
  });

  test('malformed domains are refused with a clear error', async () => {
    for (const bad of [
      '',
      '.',
      'bad domain.test',
      'a..b',
      'ex\u00e4mple.test',
      'x'.repeat(64) + '.test',
    ]) {
      await assert.rejects(resolver.resolveMail(bad), { code: 'MV_ERR_INVALID_ARGUMENT' });
    }
  });

  test('callers get copies: editing a result does not change the cache', async () => {
    const first = await resolver.resolveMail('example.test');
    if (first.kind === 'mx') first.hosts[0].addresses.length = 0;
    const second = await resolver.resolveMail('example.test');
    assert.ok(second.kind === 'mx' && second.hosts[0].addresses.length === 3);
  });
});
