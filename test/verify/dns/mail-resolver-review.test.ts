/**
 * Correctness review of the mail route (design.md §3): only definitive DNS
 * answers may lead to "undeliverable". MX records naming an IP address
 * (RFC 5321 §5.1 forbids it, but it is common) and answers that arrive only
 * on a retry are the cases here.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createMailResolver } from '../../../src/verify/dns/index.js';
import type { MailResolver } from '../../../src/verify/dns/index.js';
import { startDnsServer } from '../../world/dns-server.js';
import type { TestDnsServer } from '../../world/dns-server.js';

const mx = (exchange: string, preference: number) => ({ exchange, preference });

describe('mail route review cases', () => {
  let dns: TestDnsServer;
  let resolver: MailResolver;

  before(async () => {
    dns = await startDnsServer({
      zones: {
        'ipmx.test': { mx: [mx('192.0.2.10', 10)] },
        'ipmix.test': { mx: [mx('192.0.2.11', 10), mx('real.ipmix.test', 20)] },
        'real.ipmix.test': { a: ['192.0.2.12'] },
        'lost-nx.test': { dropFirst: 1, rcode: 'NXDOMAIN' },
        'lost-servfail.test': { dropFirst: 1, rcode: 'SERVFAIL' },
        'lost-mx.test': { dropFirst: 1, mx: [mx('mx.lost-mx.test', 10)] },
        'mx.lost-mx.test': { dropFirst: 1, a: ['192.0.2.13'] },
      },
    });
    resolver = createMailResolver({ servers: [dns.address], timeoutMs: 300, tries: 2 });
  });

  after(async () => {
    await resolver.close();
    await dns.close();
  });

  test('MX pointing at an IPv4 literal uses that address; no A query for it, never no_mail_server', async () => {
    const route = await resolver.resolveMail('ipmx.test');
    assert.equal(route.kind, 'mx');
    assert.deepEqual(route.kind === 'mx' && route.hosts, [
      { exchange: '192.0.2.10', preference: 10, addresses: ['192.0.2.10'] },
    ]);
    assert.equal(dns.queries('192.0.2.10', 'A'), 0, 'an IP is not looked up as a name');
  });

  test('an IP-literal MX beside a named MX keeps both, in preference order', async () => {
    const route = await resolver.resolveMail('ipmix.test');
    assert.equal(route.kind, 'mx');
    if (route.kind !== 'mx') return;
    assert.deepEqual(
      route.hosts.map((h) => [h.exchange, h.addresses]),
      [
        ['192.0.2.11', ['192.0.2.11']],
        ['real.ipmix.test', ['192.0.2.12']],
      ],
    );
  });

  test('NXDOMAIN that arrives on the retry is NXDOMAIN', async () => {
    assert.deepEqual(await resolver.resolveMail('lost-nx.test'), { kind: 'nxdomain' });
    assert.equal(dns.queries('lost-nx.test', 'MX'), 2);
  });

  test('SERVFAIL that arrives on the retry stays a temporary error, never nxdomain', async () => {
    const route = await resolver.resolveMail('lost-servfail.test');
    assert.equal(route.kind, 'error');
    assert.equal(route.kind === 'error' && route.error, 'servfail');
  });

  test('lost MX and host queries are retried into a full route', async () => {
    const route = await resolver.resolveMail('lost-mx.test');
    assert.equal(route.kind, 'mx');
    assert.deepEqual(route.kind === 'mx' && route.hosts[0].addresses, ['192.0.2.13']);
  });
});
