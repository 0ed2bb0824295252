import assert from 'node:assert/strict';
import diagnostics_channel from 'node:diagnostics_channel';
import { afterEach, test } from 'node:test';
import { UnroutableAddressError } from '../../../src/verify/smtp/connect-errors.js';
import type { SmtpProberOptions } from '../../../src/verify/smtp/prober-options.js';
import { createSmtpProber } from '../../../src/verify/smtp/prober.js';
import type { SmtpProber } from '../../../src/verify/smtp/smtp-verdict.js';
import { address, FAST_TIMEOUTS, loopbackConnect, mx, PeerSet } from './prober-world.js';

const peers = new PeerSet();
let prober: SmtpProber | undefined;
afterEach(async () => {
  await prober?.close();
  prober = undefined;
  await peers.close();
});

function makeProber(extra: Partial<SmtpProberOptions> = {}): SmtpProber {
  prober = createSmtpProber({
    heloName: 'verifier.test',
    mailFrom: 'probe@verifier.test',
    connect: loopbackConnect,
    sessionTimeouts: FAST_TIMEOUTS,
    connectIntervalMs: 0,
    idleTimeoutMs: 5_000,
    ...extra,
  });
  return prober;
}

// Nothing listens here: connections are refused at once.
const DEAD_IP = '127.0.3.250';
const DEAD_IP_2 = '127.0.3.251';

test('the catch-all probe rides in the first transaction and is cached for the next', async () => {
  const peer = await peers.start('127.0.3.1', { catchAll: true });
  const p = makeProber();
  const hosts = [mx('mx.ca.test', 10, peer.host)];
  const first = await Promise.all(
    ['a', 'b'].map((n) => p.probe({ address: address(`${n}@ca.test`), hosts })),
  );
  assert.ok(first.every((v) => v.outcome === 'accepted' && v.catchAll === true));
  assert.equal(peer.stats.transactions, 1);
  assert.equal(peer.stats.commands.RCPT, 3);
  const random = peer.connections[0].commands.filter((c) => /^RCPT TO:<mv-[0-9a-f]{16}@/i.test(c));
  assert.equal(random.length, 1, 'one random local part, mv- + 16 hex');
  const second = await p.probe({ address: address('c@ca.test'), hosts });
  assert.equal(second.catchAll, true);
  assert.equal(peer.stats.commands.RCPT, 4, 'no second catch-all probe');
});

test('a domain rejecting the random local part is not catch-all', async () => {
  const peer = await peers.start('127.0.3.2', { accept: ['real'] });
  const p = makeProber();
  const v = await p.probe({
    address: address('real@nca.test'),
    hosts: [mx('mx.nca', 10, peer.host)],
  });
  assert.equal(v.outcome, 'accepted');
  assert.equal(v.catchAll, false);
});

test('421 at the banner backs off the host and fails over to the secondary MX', async () => {
  const primary = await peers.start('127.0.3.3', { throttleAtBanner: true });
  const secondary = await peers.start('127.0.3.4', { accept: ['bob'] });
  const p = makeProber({ breakerFailureThreshold: 1, breakerOpenMs: 60_000 });
  const hosts = [mx('mx1.fo.test', 10, primary.host), mx('mx2.fo.test', 20, secondary.host)];
  const v = await p.probe({ address: address('bob@fo.test'), hosts });
  assert.equal(v.outcome, 'accepted');
  assert.equal(v.smtp.mxHost, 'mx2.fo.test');
  assert.equal(v.smtp.attempts, 2);
  const connectionsBefore = primary.stats.connections;
  const again = await p.probe({ address: address('bob@fo.test'), hosts });
  assert.equal(again.outcome, 'accepted');
  assert.equal(
    primary.stats.connections,
    connectionsBefore,
    'primary left alone while its breaker is open',
  );
});

test('connection refused fails over to the next address', async () => {
  const secondary = await peers.start('127.0.3.5', { accept: ['x'] });
  const p = makeProber();
  const hosts = [mx('mx1.rf.test', 10, DEAD_IP), mx('mx2.rf.test', 20, secondary.host)];
  const v = await p.probe({ address: address('x@rf.test'), hosts });
  assert.equal(v.outcome, 'accepted');
  assert.equal(v.smtp.mxHost, 'mx2.rf.test');
});

test('every host dead → connection_failed', async () => {
  const p = makeProber();
  const hosts = [mx('mx1.dead.test', 10, DEAD_IP), mx('mx2.dead.test', 20, DEAD_IP_2)];
  const v = await p.probe({ address: address('x@dead.test'), hosts });
  assert.equal(v.outcome, 'connection_failed');
  assert.equal(v.smtp.checked, false);
  assert.equal(v.catchAll, null);
});

test('a tarpit → timeout', async () => {
  const peer = await peers.start('127.0.3.6', { tarpitByVerb: { BANNER: 3_000 } });
  const p = makeProber();
  const v = await p.probe({ address: address('x@tar.test'), hosts: [mx('mx.tar', 10, peer.host)] });
  assert.equal(v.outcome, 'timeout');
});

test('the breaker opens after repeated failures and answers mx_unavailable', async () => {
  const transitions: unknown[] = [];
  const listener = (m: unknown) => transitions.push(m);
  diagnostics_channel.subscribe('mailvet:smtp:breaker', listener);
  try {
    const p = makeProber({ breakerFailureThreshold: 2, breakerOpenMs: 60_000 });
    const hosts = [mx('mx.brk.test', 10, DEAD_IP)];
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) {
      outcomes.push((await p.probe({ address: address(`u${i}@brk.test`), hosts })).outcome);
    }
    assert.deepEqual(outcomes, ['connection_failed', 'connection_failed', 'mx_unavailable']);
    assert.deepEqual(transitions, [{ from: 'closed', to: 'open' }]);
  } finally {
    diagnostics_channel.unsubscribe('mailvet:smtp:breaker', listener);
  }
});

test('the breaker never opens on 5.1.1 answers', async () => {
  const peer = await peers.start('127.0.3.7', { accept: [] });
  const p = makeProber({ breakerFailureThreshold: 2 });
  const hosts = [mx('mx.nouser.test', 10, peer.host)];
  for (let i = 0; i < 6; i++) {
    const v = await p.probe({ address: address(`ghost${i}@nouser.test`), hosts });
    assert.equal(v.outcome, 'mailbox_not_found');
  }
});

test('5.7.1 at RCPT → blocked, never undeliverable', async () => {
  const peer = await peers.start('127.0.3.8', { blockRcpt: true });
  const p = makeProber();
  const v = await p.probe({ address: address('a@blk.test'), hosts: [mx('mx.blk', 10, peer.host)] });
  assert.equal(v.outcome, 'blocked');
  assert.equal(v.smtp.enhancedCode, '5.7.1');
});

test('a refused MAIL FROM → blocked for every recipient', async () => {
  const peer = await peers.start('127.0.3.9', {
    verbReplies: { MAIL: '550 5.7.1 Sender rejected' },
  });
  const p = makeProber();
  const hosts = [mx('mx.mail.test', 10, peer.host)];
  const v = await Promise.all(
    ['a', 'b'].map((n) => p.probe({ address: address(`${n}@mail.test`), hosts })),
  );
  assert.deepEqual(
    v.map((x) => x.outcome),
    ['blocked', 'blocked'],
  );
});

test('greylisting within the budget is retried on schedule, then accepted', async () => {
  const peer = await peers.start('127.0.3.10', { greylist: 1, accept: ['g'] });
  const p = makeProber({ greylistRetryDelaysMs: [50, 100], greylistBudgetMs: 5_000 });
  const v = await p.probe({
    address: address('g@grey.test'),
    hosts: [mx('mx.grey', 10, peer.host)],
  });
  assert.equal(v.outcome, 'accepted');
  assert.equal(v.smtp.attempts, 2);
  assert.equal(v.catchAll, false);
});

test('greylisting with no budget → greylisted with retryAfterSeconds', async () => {
  const peer = await peers.start('127.0.3.11', { greylist: 1, accept: ['g'] });
  const p = makeProber();
  const v = await p.probe({
    address: address('g@grey0.test'),
    hosts: [mx('mx.g0', 10, peer.host)],
  });
  assert.equal(v.outcome, 'greylisted');
  assert.equal(v.retryAfterSeconds, 60);
  assert.equal(v.catchAll, null);
  assert.equal(peer.stats.transactions, 1);
});

test('a provider that accepts every RCPT is not probed', async () => {
  const peer = await peers.start('127.0.3.12', { catchAll: true });
  const p = makeProber({
    recogniseProvider: (names) =>
      names.some((n) => n.endsWith('.yahoodns.test'))
        ? { id: 'yahoo', name: 'Yahoo', acceptsAllRcpt: true }
        : null,
  });
  const v = await p.probe({
    address: address('a@yahoo.test'),
    hosts: [mx('mta5.am0.yahoodns.test', 1, peer.host)],
  });
  assert.equal(v.outcome, 'provider_unverifiable');
  assert.equal(v.provider, 'yahoo');
  assert.equal(peer.stats.connections, 0);
});

test('every address refused by the SSRF guard → unroutable_mx', async () => {
  const p = makeProber({
    connect: async ({ host, port }) => {
      throw new UnroutableAddressError(host, port, 'private');
    },
  });
  const v = await p.probe({
    address: address('a@internal.test'),
    hosts: [mx('mx.internal.test', 10, '10.0.0.1', '192.168.1.1')],
  });
  assert.equal(v.outcome, 'unroutable_mx');
});

test('a host without addresses → connection_failed without a connection', async () => {
  const p = makeProber();
  const v = await p.probe({ address: address('a@noaddr.test'), hosts: [mx('mx.noaddr', 10)] });
  assert.equal(v.outcome, 'connection_failed');
});
