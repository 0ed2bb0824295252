import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { createSmtpProber } from '../../../src/verify/smtp/prober.js';
import type { SmtpProber } from '../../../src/verify/smtp/smtp-verdict.js';
import type { SmtpProberOptions } from '../../../src/verify/smtp/prober-options.js';
import { address, FAST_TIMEOUTS, loopbackConnect, mx, PeerSet } from './prober-world.js';

const peers = new PeerSet();
let prober: SmtpProber | undefined;
afterEach(async () => {
  await prober?.close();
  prober = undefined;
  await peers.close();
});

function makeProber(extra: Partial<SmtpProberOptions> = {}) {
  prober = createSmtpProber({
    heloName: 'verifier.test',
    mailFrom: 'probe@verifier.test',
    connect: loopbackConnect,
    sessionTimeouts: FAST_TIMEOUTS,
    connectIntervalMs: 0,
    idleTimeoutMs: 5_000,
    randomLocalPart: () => 'mv-random0000000000',
    ...extra,
  });
  return prober;
}

/** RCPT lines of each transaction on a connection (split at MAIL). */
function transactions(commands: readonly string[]): string[][] {
  const out: string[][] = [];
  for (const line of commands) {
    if (/^MAIL /i.test(line)) out.push([]);
    else if (/^RCPT /i.test(line)) out[out.length - 1].push(line);
  }
  return out;
}

test('k probes to one host share one connection and one pipelined MAIL + RCPT burst', async () => {
  const peer = await peers.start('127.0.2.1', { accept: ['alice', 'bob', 'carol'], latencyMs: 5 });
  const p = makeProber();
  const hosts = [mx('mx.one.test', 10, peer.host)];
  const names = ['alice', 'bob', 'carol', 'dave', 'erin'];
  const verdicts = await Promise.all(
    names.map((n) => p.probe({ address: address(`${n}@one.test`), hosts })),
  );
  assert.deepEqual(
    verdicts.map((v) => v.outcome),
    ['accepted', 'accepted', 'accepted', 'mailbox_not_found', 'mailbox_not_found'],
  );
  assert.ok(verdicts.every((v) => v.catchAll === false));
  assert.equal(verdicts[0].smtp.mxHost, 'mx.one.test');
  assert.equal(verdicts[0].smtp.code, 250);
  assert.equal(verdicts[3].smtp.enhancedCode, '5.1.1');
  assert.equal(peer.stats.connections, 1);
  assert.equal(peer.stats.transactions, 1);
  const burst = peer.connections[0].bursts.find((b) => /^MAIL /i.test(b[0]));
  assert.ok(burst, 'MAIL FROM starts a burst');
  // MAIL + catch-all probe + five recipients, written at once.
  assert.equal(burst.length, 7);
  assert.ok(burst.slice(1).every((l) => /^RCPT TO:/i.test(l)));
});

test('domains sharing an MX host share the session but never a transaction', async () => {
  const peer = await peers.start('127.0.2.2', { accept: ['a1@a.test', 'b1@b.test'] });
  const p = makeProber();
  const hosts = [mx('mx.shared.test', 10, peer.host)];
  const emails = ['a1@a.test', 'b1@b.test', 'a2@a.test', 'b2@b.test'];
  const verdicts = await Promise.all(emails.map((e) => p.probe({ address: address(e), hosts })));
  assert.deepEqual(
    verdicts.map((v) => v.outcome),
    ['accepted', 'accepted', 'mailbox_not_found', 'mailbox_not_found'],
  );
  assert.equal(peer.stats.connections, 1);
  assert.equal(peer.stats.transactions, 2);
  assert.ok((peer.stats.commands.RSET ?? 0) >= 1, 'RSET between transactions');
  for (const rcpts of transactions(peer.connections[0].commands)) {
    const domains = new Set(rcpts.map((l) => /@([^>]+)>/.exec(l)?.[1]));
    assert.equal(domains.size, 1, `one domain per transaction: ${rcpts.join(' ')}`);
  }
});

test('452 4.5.3 shrinks the batch and re-queues the rest; every recipient still answered', async () => {
  const accept = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'];
  const peer = await peers.start('127.0.2.3', { accept, maxRecipientsPerTransaction: 2 });
  const p = makeProber({ catchAllProbe: false });
  const hosts = [mx('mx.small.test', 10, peer.host)];
  const names = ['u1', 'u2', 'u3', 'nobody', 'u4', 'u5', 'u6'];
  const verdicts = await Promise.all(
    names.map((n) => p.probe({ address: address(`${n}@small.test`), hosts })),
  );
  assert.deepEqual(
    verdicts.map((v) => v.outcome),
    names.map((n) => (n === 'nobody' ? 'mailbox_not_found' : 'accepted')),
  );
  assert.ok(peer.stats.transactions >= 3);
  assert.ok(peer.stats.maxRecipientsInTransaction <= 2);
});

test('LIMITS RCPTMAX caps recipients per transaction from the first batch', async () => {
  const peer = await peers.start('127.0.2.4', { catchAll: true, rcptMax: 3 });
  const p = makeProber();
  const hosts = [mx('mx.limits.test', 10, peer.host)];
  const verdicts = await Promise.all(
    Array.from({ length: 8 }, (_, i) => p.probe({ address: address(`x${i}@limits.test`), hosts })),
  );
  assert.ok(verdicts.every((v) => v.outcome === 'accepted' && v.catchAll === true));
  const perTransaction = peer.connections.flatMap((c) => transactions(c.commands));
  assert.ok(perTransaction.every((r) => r.length <= 3));
  assert.equal(perTransaction.flat().length, 9, 'eight recipients plus one catch-all probe');
});

test('never more sessions to one host than maxSessionsPerHost', async () => {
  const peer = await peers.start('127.0.2.5', { catchAll: true, latencyMs: 10 });
  const p = makeProber({ maxSessionsPerHost: 2, maxRecipientsPerTransaction: 2 });
  const hosts = [mx('mx.busy.test', 10, peer.host)];
  const verdicts = await Promise.all(
    Array.from({ length: 30 }, (_, i) => p.probe({ address: address(`u${i}@busy.test`), hosts })),
  );
  assert.ok(verdicts.every((v) => v.outcome === 'accepted'));
  assert.ok(peer.stats.peakConcurrentConnections <= 2);
  assert.ok(peer.stats.connections >= 1);
});

test('a pooled session is RSET and reused for the next batch', async () => {
  const peer = await peers.start('127.0.2.6', { accept: ['a', 'b'] });
  const p = makeProber();
  const hosts = [mx('mx.reuse.test', 10, peer.host)];
  const first = await p.probe({ address: address('a@reuse.test'), hosts });
  const second = await p.probe({ address: address('b@reuse.test'), hosts });
  const third = await p.probe({ address: address('c@reuse.test'), hosts });
  assert.deepEqual(
    [first.outcome, second.outcome, third.outcome],
    ['accepted', 'accepted', 'mailbox_not_found'],
  );
  assert.equal(peer.stats.connections, 1);
  assert.equal(peer.stats.transactions, 3);
  assert.ok((peer.stats.commands.RSET ?? 0) >= 2);
});

test('maxTransactionsPerSession retires a session and opens a fresh one', async () => {
  const peer = await peers.start('127.0.2.7', { accept: ['a'] });
  const p = makeProber({ maxTransactionsPerSession: 1 });
  const hosts = [mx('mx.fresh.test', 10, peer.host)];
  await p.probe({ address: address('a@fresh.test'), hosts });
  const again = await p.probe({ address: address('a@fresh.test'), hosts });
  assert.equal(again.outcome, 'accepted');
  assert.equal(peer.stats.connections, 2);
});

test('close() finishes queued work and QUITs pooled sessions', async () => {
  const peer = await peers.start('127.0.2.8', { accept: ['a'], latencyMs: 5 });
  const p = makeProber();
  const hosts = [mx('mx.close.test', 10, peer.host)];
  const pending = p.probe({ address: address('a@close.test'), hosts });
  await p.close();
  prober = undefined;
  assert.equal((await pending).outcome, 'accepted');
  assert.equal(peer.stats.commands.QUIT, 1);
  await assert.rejects(p.probe({ address: address('a@close.test'), hosts }), {
    code: 'MV_ERR_CLOSED',
  });
});
