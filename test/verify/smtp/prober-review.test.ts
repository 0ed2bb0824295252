/**
 * Correctness review of the prober (design.md §3–§4), against scripted peers
 * on 127.0.8.x:25: a refused MAIL FROM never becomes a missing mailbox, the
 * catch-all probe's answer never leaks into real recipients, and in one
 * pipelined batch every recipient gets its own reply (none shifted), also
 * across 452 re-queues and a 421 mid-pipeline.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { UnroutableAddressError } from '../../../src/verify/smtp/connect-errors.js';
import type { SmtpProberOptions } from '../../../src/verify/smtp/prober-options.js';
import { createSmtpProber } from '../../../src/verify/smtp/prober.js';
import type { SmtpProber } from '../../../src/verify/smtp/smtp-verdict.js';
import { classify } from '../../../src/verify/classify.js';
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
    greylistRetryDelaysMs: [],
    ...extra,
  });
  return prober;
}

/** Distinct replies, one per recipient: code, enhanced code and text all differ. */
function distinctReplies(n: number): Record<string, string> {
  const kinds = [
    (i: number) => `250 2.1.5 Ok r${i}`,
    (i: number) => `550 5.1.1 <u${i}@batch.test>: Recipient address rejected: User unknown r${i}`,
    (i: number) => `452 4.2.2 Mailbox full r${i}`,
    (i: number) => `550 5.2.1 The email account that you tried to reach is disabled r${i}`,
    (i: number) => `451 4.3.0 Temporary local problem r${i}`,
    (i: number) => `554 5.7.1 Client host blocked using zen.spamhaus.org r${i}`,
  ];
  const replies: Record<string, string> = {};
  for (let i = 0; i < n; i++) replies[`u${i}`] = kinds[i % kinds.length](i);
  return replies;
}

const EXPECTED_BY_KIND = [
  'accepted',
  'mailbox_not_found',
  'mailbox_full',
  'mailbox_disabled',
  'temporary_error',
  'blocked',
];

async function probeBatch(p: SmtpProber, n: number, host: string) {
  const hosts = [mx('mx.batch.test', 10, host)];
  return Promise.all(
    Array.from({ length: n }, (_, i) => p.probe({ address: address(`u${i}@batch.test`), hosts })),
  );
}

function assertEachOwnReply(verdicts: Awaited<ReturnType<typeof probeBatch>>): void {
  verdicts.forEach((v, i) => {
    assert.match(
      v.smtp.message ?? '',
      new RegExp(`\\br${i}$`),
      `recipient u${i} got its own reply`,
    );
    assert.equal(v.outcome, EXPECTED_BY_KIND[i % EXPECTED_BY_KIND.length], `u${i}`);
  });
}

test('pipelined batch: 40 recipients with 40 distinct replies, none shifted', async () => {
  // A breaker that never opens: the spamhaus replies must not cut the batch short.
  const peer = await peers.start('127.0.8.1', { replies: distinctReplies(40) });
  const p = makeProber({ catchAllProbe: false, breakerFailureThreshold: 1_000 });
  const verdicts = await probeBatch(p, 40, peer.host);
  assertEachOwnReply(verdicts);
  assert.equal(peer.stats.transactions, 1, 'one pipelined transaction');
});

test('without PIPELINING, distinct replies still land on their own recipients', async () => {
  const peer = await peers.start('127.0.8.2', {
    replies: distinctReplies(18),
    pipelining: false,
  });
  const p = makeProber({ catchAllProbe: false, breakerFailureThreshold: 1_000 });
  assertEachOwnReply(await probeBatch(p, 18, peer.host));
});

test('452 4.5.3 re-queues keep every recipient matched to its own reply', async () => {
  const peer = await peers.start('127.0.8.3', {
    replies: distinctReplies(23),
    maxRecipientsPerTransaction: 2, // counts accepted recipients only
  });
  const p = makeProber({ catchAllProbe: false, breakerFailureThreshold: 1_000 });
  const verdicts = await probeBatch(p, 23, peer.host);
  assertEachOwnReply(verdicts);
  assert.ok(peer.stats.transactions >= 3, `split after the 452s: ${peer.stats.transactions}`);
});

test('421 mid-pipeline: answers before it stand, the rest are temporary, never undeliverable', async () => {
  const replies = distinctReplies(12);
  replies.u6 = '421 4.7.0 mx.batch.test Error: too many connections, try again later';
  const peer = await peers.start('127.0.8.4', { replies });
  const p = makeProber({ catchAllProbe: false, breakerFailureThreshold: 1_000 });
  const verdicts = await probeBatch(p, 12, peer.host);
  verdicts.slice(0, 6).forEach((v, i) => {
    assert.match(v.smtp.message ?? '', new RegExp(`\\br${i}$`));
    assert.equal(v.outcome, EXPECTED_BY_KIND[i]);
  });
  for (const v of verdicts.slice(6)) {
    assert.ok(
      v.outcome !== 'mailbox_not_found' && v.outcome !== 'mailbox_disabled',
      `after the 421: ${v.outcome} ${v.smtp.message}`,
    );
    assert.ok(!/\br(7|8|9|10|11)$/.test(v.smtp.message ?? ''), 'no reply from after the 421');
  }
});

for (const [name, mailReply] of [
  [
    'MAIL FROM 550 5.1.1 (sender unknown)',
    '550 5.1.1 <probe@verifier.test>: Sender address rejected: User unknown',
  ],
  [
    'MAIL FROM 553 5.1.8 (sender domain)',
    '553 5.1.8 <probe@verifier.test>: Sender address rejected: Domain not found',
  ],
  ['MAIL FROM 550 no such user, no code', '550 No such user here'],
  [
    'MAIL FROM 450 4.1.8',
    '450 4.1.8 <probe@verifier.test>: Sender address rejected: Domain not found',
  ],
] as const) {
  test(`${name} is never mailbox_not_found, for real and catch-all recipients`, async () => {
    const peer = await peers.start('127.0.8.5', {
      accept: ['alice'],
      verbReplies: { MAIL: mailReply },
    });
    const p = makeProber();
    const hosts = [mx('mx.mf.test', 10, peer.host)];
    const verdicts = await Promise.all(
      ['alice', 'nobody'].map((n) => p.probe({ address: address(`${n}@mf.test`), hosts })),
    );
    for (const v of verdicts) {
      assert.ok(
        v.outcome === 'blocked' || v.outcome === 'temporary_error',
        `${v.outcome} from ${v.smtp.message}`,
      );
      assert.equal(v.catchAll, null, 'a refused MAIL says nothing about catch-all');
      const verdict = classify({ syntaxValid: true, lists: null, route: null, smtp: v });
      assert.equal(verdict.status, 'unknown');
    }
  });
}

test('the catch-all probe 5.1.1 does not leak into real recipients of the same batch', async () => {
  const peer = await peers.start('127.0.8.6', { accept: ['a0', 'a1', 'a2', 'a3', 'a4'] });
  const p = makeProber();
  const hosts = [mx('mx.leak.test', 10, peer.host)];
  const verdicts = await Promise.all(
    [0, 1, 2, 3, 4].map((i) => p.probe({ address: address(`a${i}@leak.test`), hosts })),
  );
  assert.equal(peer.stats.transactions, 1, 'catch-all probe and real recipients share it');
  for (const v of verdicts) {
    assert.equal(v.outcome, 'accepted');
    assert.equal(v.catchAll, false);
  }
});

test('catch-all probe accepted but the real recipient gets 5.1.1: undeliverable, catchAll kept', async () => {
  // Real-world shape: a catch-all alias plus an explicit reject list for
  // departed users. The 5.1.1 names this mailbox; it is definitive.
  const peer = await peers.start('127.0.8.7', {
    catchAll: true,
    replies: { gone: '550 5.1.1 <gone@ca5.test>: Recipient address rejected: User unknown' },
  });
  const p = makeProber();
  const hosts = [mx('mx.ca5.test', 10, peer.host)];
  const [gone, other] = await Promise.all(
    ['gone', 'other'].map((n) => p.probe({ address: address(`${n}@ca5.test`), hosts })),
  );
  assert.equal(gone.outcome, 'mailbox_not_found');
  assert.equal(gone.catchAll, true);
  const v = classify({ syntaxValid: true, lists: null, route: null, smtp: gone });
  assert.equal(v.status, 'undeliverable');
  assert.equal(v.reason, 'mailbox_not_found');
  assert.equal(other.outcome, 'accepted');
  assert.equal(other.catchAll, true);
});

test('SMTPUTF8 address at a server without SMTPUTF8: unknown, no breaker penalty, ASCII peers unharmed', async () => {
  const peer = await peers.start('127.0.8.8', { accept: ['alice', 'jörg'], smtputf8: false });
  const p = makeProber({ breakerFailureThreshold: 1, breakerOpenMs: 60_000 });
  const hosts = [mx('mx.utf.test', 10, peer.host)];
  const [utf, ascii] = await Promise.all([
    p.probe({ address: address('jörg@utf.test', true), hosts }),
    p.probe({ address: address('alice@utf.test'), hosts }),
  ]);
  assert.equal(utf.outcome, 'temporary_error', `${utf.outcome}: ${utf.smtp.message}`);
  assert.match(utf.smtp.message ?? '', /SMTPUTF8/);
  assert.equal(ascii.outcome, 'accepted');
  // The breaker (threshold 1) stayed closed: the host did nothing wrong.
  const again = await p.probe({ address: address('alice@utf.test'), hosts });
  assert.equal(again.outcome, 'accepted', `${again.outcome}: ${again.smtp.message}`);
  assert.ok(!peer.connections.some((c) => c.commands.some((l) => /[^\x00-\x7f]/.test(l))));
});

test('private addresses refused by the guard do not use up the failover attempts', async () => {
  // mx1 publishes only private addresses (more than maxHostAttempts of them);
  // the public backup mx2 must still be asked, so no unroutable_mx.
  const peer = await peers.start('127.0.8.9', { accept: ['bob'] });
  const p = makeProber({
    maxHostAttempts: 2,
    connect: async (target) => {
      if (target.host.startsWith('10.')) {
        throw new UnroutableAddressError(target.host, target.port, 'private');
      }
      return loopbackConnect(target);
    },
  });
  const v = await p.probe({
    address: address('bob@split.test'),
    hosts: [
      mx('mx1.split.test', 10, '10.0.0.1', '10.0.0.2', '10.0.0.3'),
      mx('mx2.split.test', 20, peer.host),
    ],
  });
  assert.equal(v.outcome, 'accepted', `${v.outcome}: ${v.smtp.message}`);
  assert.equal(v.smtp.mxHost, 'mx2.split.test');
});
