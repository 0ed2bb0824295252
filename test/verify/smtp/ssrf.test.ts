/**
 * SSRF guard (design.md §5, docs/network.md): with the default configuration
 * no MX record, address literal or DNS trick makes mailvet connect to a
 * loopback/private address. The peers listen on 127.0.9.x:25 and count every
 * connection, so "refused" means "not a single SYN reached it".
 */
import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import { after, before, describe, it } from 'node:test';
import { defaultConfig, loadConfig } from '../../../src/config.js';
import { ConfigError } from '../../../src/errors.js';
import { createDefaultVerifier } from '../../../src/verify/default-verifier.js';
import { createSocketFactory } from '../../../src/verify/smtp/connect.js';
import { parseSocks5Url, redactProxyUrl } from '../../../src/verify/smtp/socks-connect.js';
import { startDnsServer, type TestDnsServer } from '../../world/dns-server.js';
import { startSmtpPeer, type SmtpPeer } from '../../world/smtp-peer.js';
import { startSocks5Server } from '../../world/socks5-server.js';

const PEER_IP = '127.0.9.10';
/** A public address nothing in the test world answers for (only ever handed to a proxy). */
const PUBLIC_IP = '8.8.8.8';

let dns: TestDnsServer;
let peer: SmtpPeer;

before(async () => {
  peer = await startSmtpPeer({ host: PEER_IP, catchAll: true });
  const mx = (exchange: string) => ({ mx: [{ exchange, preference: 10 }] });
  dns = await startDnsServer({
    zones: {
      'private.test': mx('mx.private.test'),
      'mx.private.test': { a: [PEER_IP] },
      'mapped.test': mx('mx.mapped.test'),
      'mx.mapped.test': { aaaa: [`::ffff:${PEER_IP}`] },
      'metadata.test': mx('mx.metadata.test'),
      'mx.metadata.test': { a: ['169.254.169.254'] },
      'implicit.test': { a: [PEER_IP] },
      'rebind.test': mx('mx.rebind.test'),
      'mx.rebind.test': { a: [PUBLIC_IP], ttl: 0 },
    },
  });
});

after(async () => {
  await Promise.all([peer?.close(), dns?.close()]);
});

function verifier(overrides: Record<string, unknown> = {}) {
  return createDefaultVerifier(
    defaultConfig({
      'dns.servers': [dns.address],
      'dns.minTtlSeconds': 0,
      'smtp.starttls': false,
      'smtp.connectTimeoutMs': 300,
      'smtp.commandTimeoutMs': 1000,
      ...overrides,
    }),
  );
}

describe('the SSRF guard is on unless explicitly turned off', () => {
  it('allowPrivateMx is false in the defaults and with an empty environment', () => {
    assert.equal(defaultConfig().smtp.allowPrivateMx, false);
    assert.equal(loadConfig({ env: {}, file: null }).smtp.allowPrivateMx, false);
    assert.equal(
      loadConfig({ env: { MAILVET_ALLOW_PRIVATE_MX: 'false' }, file: null }).smtp.allowPrivateMx,
      false,
    );
  });

  it('private MX hosts, IPv4-mapped IPv6, metadata IPs and address literals get no connection', async () => {
    peer.resetStats();
    const v = verifier();
    const inputs = [
      'alice@private.test',
      'alice@mapped.test',
      'alice@metadata.test',
      'alice@implicit.test',
      `alice@[${PEER_IP}]`,
      `alice@[IPv6:::ffff:${PEER_IP}]`,
      'alice@[IPv6:::1]',
      'alice@[127.1]',
    ];
    try {
      for (const input of inputs) {
        const r = await v.verify(input);
        if (input === 'alice@[127.1]') {
          assert.equal(r.reason, 'invalid_syntax', input);
          continue;
        }
        assert.equal(r.status, 'undeliverable', `${input}: ${r.reason}`);
        assert.equal(r.reason, 'unroutable_mx', input);
      }
    } finally {
      await v.close();
    }
    assert.equal(peer.stats.connections, 0, 'not one connection reached the private peer');
  });

  it('the same world is reachable only when the flag is set explicitly', async () => {
    peer.resetStats();
    const v = verifier({ 'smtp.allowPrivateMx': true });
    try {
      assert.equal((await v.verify('alice@private.test')).smtp.checked, true);
    } finally {
      await v.close();
    }
    assert.ok(peer.stats.connections > 0);
  });
});

describe('DNS rebinding: the policy judges the IP actually dialled', () => {
  it('a name that answers public, then private, is refused on the private dial', async () => {
    // The proxy records every CONNECT and never answers, so the public dial
    // goes nowhere; what matters is which IPs were handed on at all.
    const proxy = await startSocks5Server({ hang: true });
    const resolver = new Resolver();
    resolver.setServers([dns.address]);
    const connect = createSocketFactory({
      proxy: proxy.url,
      connectTimeoutMs: 300,
      lookup: (name) => resolver.resolve4(name),
    });
    try {
      dns.setZone('mx.rebind.test', { a: [PUBLIC_IP], ttl: 0 });
      await assert.rejects(connect({ host: 'mx.rebind.test', port: 25 }), {
        code: 'MV_ERR_CONNECT_TIMEOUT',
      });
      dns.setZone('mx.rebind.test', { a: [PEER_IP], ttl: 0 });
      await assert.rejects(connect({ host: 'mx.rebind.test', port: 25 }), {
        code: 'MV_ERR_UNROUTABLE_ADDRESS',
        address: PEER_IP,
      });
      assert.deepEqual(
        proxy.requests.map((r) => r.host),
        [PUBLIC_IP],
      );
    } finally {
      await proxy.close();
    }
  });

  it('end to end: an MX host re-pointed at loopback between verifications is refused', async () => {
    peer.resetStats();
    const proxy = await startSocks5Server({ hang: true });
    const v = verifier({ 'smtp.proxy': proxy.url });
    try {
      dns.setZone('mx.rebind.test', { a: [PUBLIC_IP], ttl: 0 });
      const first = await v.verify('alice@rebind.test');
      assert.equal(first.status, 'unknown', first.reason);
      dns.setZone('mx.rebind.test', { a: [PEER_IP], ttl: 0 });
      const second = await v.verify('bob@rebind.test');
      assert.equal(second.reason, 'unroutable_mx');
    } finally {
      await v.close();
      await proxy.close();
    }
    assert.ok(proxy.requests.every((r) => r.host === PUBLIC_IP));
    assert.equal(peer.stats.connections, 0);
  });
});

describe('proxy credentials never appear in errors', () => {
  it('redacts user and password from every parse error', () => {
    const secret = 'S3cr3t-pw';
    for (const url of [
      `socks5://user:${secret}@`,
      `socks5://user:${secret}@proxy.test`,
      `socks5://user:${secret}@proxy.test:1080/path`,
      `socks5://user:${secret}@proxy.test:99999`,
      `socks5://user:${secret}%zz@proxy.test:1080`,
      `socks5://user:${secret}/x@y@proxy.test`,
    ]) {
      assert.throws(
        () => parseSocks5Url(url),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError, String(err));
          assert.ok(!err.message.includes(secret), err.message);
          assert.ok(!String(err.stack).includes(secret));
          return true;
        },
      );
    }
    assert.equal(redactProxyUrl('socks5://u:p@ss@h:1'), 'socks5://***@h:1');
    assert.equal(redactProxyUrl('socks5://h:1'), 'socks5://h:1');
  });
});
