/**
 * Correctness review of the whole engine (syntax → DNS → SMTP → classify)
 * with real parts: the loopback DNS server and scripted SMTP peers on
 * 127.0.8.x:25. Address literals meet the SSRF guard, IDNs reach DNS and SMTP
 * in A-label form, SMTPUTF8 addresses at hosts without SMTPUTF8 stay unknown,
 * and the overall budget bounds DNS as well as SMTP.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createMailResolver } from '../../src/verify/dns/index.js';
import { createLists } from '../../src/verify/lists/index.js';
import { createSocketFactory } from '../../src/verify/smtp/connect.js';
import { createSmtpProber } from '../../src/verify/smtp/prober.js';
import { canonicalize, parseAddress } from '../../src/verify/syntax/index.js';
import { createVerifier } from '../../src/verify/verifier.js';
import type { Verifier } from '../../src/verify/verifier-types.js';
import { startDnsServer, type TestDnsServer } from '../world/dns-server.js';
import { startSmtpPeer, type SmtpPeer } from '../world/smtp-peer.js';
import { FAST_TIMEOUTS } from './smtp/prober-world.js';

const LITERAL_IP = '127.0.8.20';
const IDN_IP = '127.0.8.21';
const UTF8_IP = '127.0.8.22';
const TARPIT_IP = '127.0.8.23';

let dns: TestDnsServer;
const peers: SmtpPeer[] = [];
const lists = createLists();

before(async () => {
  peers.push(await startSmtpPeer({ host: LITERAL_IP, catchAll: true }));
  peers.push(await startSmtpPeer({ host: IDN_IP, accept: ['a'] }));
  peers.push(await startSmtpPeer({ host: UTF8_IP, accept: ['jörg', 'alice'], smtputf8: false }));
  peers.push(await startSmtpPeer({ host: TARPIT_IP, tarpitMs: 2_000 }));
  const zone = (ip: string, name: string) => ({
    [name]: { mx: [{ exchange: `mx.${name}`, preference: 10 }] },
    [`mx.${name}`]: { a: [ip] },
  });
  dns = await startDnsServer({
    zones: {
      ...zone(IDN_IP, 'xn--bcher-kva.test'),
      ...zone(UTF8_IP, 'utf.test'),
      ...zone(TARPIT_IP, 'tarpit.test'),
      'dead.test': { drop: true },
    },
  });
});

after(async () => {
  await Promise.all(peers.map((p) => p.close()));
  await dns.close();
});

function makeVerifier(o: { allowPrivate: boolean; timeoutMs?: number }): Verifier {
  const resolver = createMailResolver({ servers: [dns.address], timeoutMs: 2_000, tries: 2 });
  const prober = createSmtpProber({
    heloName: 'verifier.test',
    mailFrom: 'probe@verifier.test',
    connect: createSocketFactory({ allowPrivate: o.allowPrivate, connectTimeoutMs: 500 }),
    sessionTimeouts: FAST_TIMEOUTS,
    connectIntervalMs: 0,
    greylistRetryDelaysMs: [],
  });
  return createVerifier(
    { parse: parseAddress, canonicalize, lists, resolver, prober },
    { timeoutMs: o.timeoutMs },
  );
}

test('address literal [127.0.8.20] hits the SSRF guard: unroutable_mx, no connection', async () => {
  const v = makeVerifier({ allowPrivate: false });
  try {
    const r = await v.verify(`someone@[${LITERAL_IP}]`);
    assert.equal(r.status, 'undeliverable');
    assert.equal(r.reason, 'unroutable_mx');
    const v6 = await v.verify('someone@[IPv6:::1]');
    assert.equal(v6.reason, 'unroutable_mx');
    const mapped = await v.verify('someone@[IPv6:::ffff:127.0.8.20]');
    assert.equal(mapped.reason, 'unroutable_mx');
  } finally {
    await v.close();
  }
  assert.equal(peers[0].stats.connections, 0, 'the guard refused before connecting');
  assert.equal(dns.queries(`[${LITERAL_IP}]`, 'MX'), 0, 'a literal never reaches DNS');
});

test('IDN domain reaches DNS and RCPT TO in A-label form', async () => {
  const v = makeVerifier({ allowPrivate: true });
  try {
    const r = await v.verify('a@Bücher.test');
    assert.equal(r.status, 'deliverable', `${r.reason} ${r.smtp.message}`);
    assert.equal(r.syntax.asciiDomain, 'xn--bcher-kva.test');
  } finally {
    await v.close();
  }
  assert.ok(dns.queries('xn--bcher-kva.test', 'MX') >= 1);
  const rcpts = peers[1].connections.flatMap((c) => c.commands.filter((l) => /^RCPT/i.test(l)));
  assert.ok(rcpts.includes('RCPT TO:<a@xn--bcher-kva.test>'), rcpts.join(' | '));
});

test('a bracket-less dotted quad is a DNS name: no_such_domain from DNS, never a connection', async () => {
  const v = makeVerifier({ allowPrivate: true });
  try {
    const r = await v.verify(`someone@${LITERAL_IP}`);
    assert.equal(r.status, 'undeliverable');
    assert.equal(r.reason, 'no_such_domain');
  } finally {
    await v.close();
  }
  assert.equal(dns.queries(LITERAL_IP, 'MX'), 1);
  assert.equal(peers[0].stats.connections, 0);
});

test('SMTPUTF8 address at a host without SMTPUTF8 is unknown, never undeliverable', async () => {
  const v = makeVerifier({ allowPrivate: true });
  try {
    const r = await v.verify('jörg@utf.test');
    assert.equal(r.status, 'unknown', `${r.status}/${r.reason} ${r.smtp.message}`);
    assert.equal(r.reason, 'smtp_temporary_error');
    assert.equal(r.syntax.smtputf8, true);
    const ascii = await v.verify('alice@utf.test');
    assert.equal(ascii.status, 'deliverable');
  } finally {
    await v.close();
  }
});

test('the overall budget ends a tarpitted SMTP probe as unknown/timeout', async () => {
  const v = makeVerifier({ allowPrivate: true, timeoutMs: 300 });
  try {
    const r = await v.verify('someone@tarpit.test');
    assert.equal(r.status, 'unknown');
    assert.equal(r.reason, 'timeout');
    assert.equal(r.retryable, true);
  } finally {
    await v.close();
  }
});

test('the overall budget also bounds DNS: the resolver retry is not awaited', async () => {
  const v = makeVerifier({ allowPrivate: true, timeoutMs: 300 });
  try {
    const r = await v.verify('someone@dead.test');
    assert.equal(r.status, 'unknown');
    assert.equal(r.reason, 'timeout');
    assert.equal(r.retryable, true);
    // The resolver (2 s per try) has sent its first query and not yet its retry.
    assert.equal(dns.queries('dead.test', 'MX'), 1);
  } finally {
    await v.close();
  }
});
