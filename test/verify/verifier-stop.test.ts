/**
 * Stopping the engine early, with real parts (loopback DNS, scripted SMTP
 * peers on 127.0.10.x:25): verifyMany's `signal` ends the iteration without
 * waiting for slow servers and reports nothing it did not finish, and
 * close({ signal }) cuts the SMTP connections still open, so a shutdown is
 * never held up by a server that answers in 30 s.
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

const FAST_IP = '127.0.10.1';
const SLOW_IP = '127.0.10.2';
/** Every reply of the slow peer, banner included, takes this long. */
const SLOW_MS = 30_000;
/** Far below SLOW_MS: a test that needed the slow peer to answer fails here. */
const DEADLINE_MS = 5_000;

let dns: TestDnsServer;
let fast: SmtpPeer;
let slow: SmtpPeer;

before(async () => {
  fast = await startSmtpPeer({ host: FAST_IP, catchAll: true });
  slow = await startSmtpPeer({ host: SLOW_IP, catchAll: true, latencyMs: SLOW_MS });
  dns = await startDnsServer({
    zones: {
      'fast.test': { mx: [{ exchange: 'mx.fast.test', preference: 10 }] },
      'mx.fast.test': { a: [FAST_IP] },
      'slow.test': { mx: [{ exchange: 'mx.slow.test', preference: 10 }] },
      'mx.slow.test': { a: [SLOW_IP] },
    },
  });
});

after(async () => {
  await Promise.all([fast.close(), slow.close()]);
  await dns.close();
});

/** Timeouts well above SLOW_MS: only the stop may end a slow verification early. */
function makeVerifier(): Verifier {
  const long = 60_000;
  const resolver = createMailResolver({ servers: [dns.address], timeoutMs: 2_000, tries: 2 });
  const prober = createSmtpProber({
    heloName: 'verifier.test',
    mailFrom: 'probe@verifier.test',
    connect: createSocketFactory({ allowPrivate: true, connectTimeoutMs: 2_000 }),
    sessionTimeouts: {
      connectMs: 2_000,
      bannerMs: long,
      ehloMs: long,
      starttlsMs: long,
      mailMs: long,
      rcptMs: long,
      rsetMs: long,
      quitMs: long,
    },
    connectIntervalMs: 0,
  });
  return createVerifier(
    { parse: parseAddress, canonicalize, lists: createLists(), resolver, prober },
    { timeoutMs: 2 * long },
  );
}

/** `work`, or a failure once DEADLINE_MS has passed. */
async function beforeDeadline<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} still waiting after ${DEADLINE_MS} ms`)),
      DEADLINE_MS,
    );
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitFor(check: () => boolean, what: string): Promise<void> {
  const end = Date.now() + DEADLINE_MS;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('verifyMany with a fired signal ends without the slow answers and reports only finished ones', async () => {
  const v = makeVerifier();
  slow.resetStats();
  const controller = new AbortController();
  const emails = ['a@fast.test', 'b@slow.test', 'c@slow.test', 'd@fast.test'];
  const seen: string[] = [];
  try {
    await beforeDeadline(
      (async () => {
        for await (const { index, result } of v.verifyMany(emails, { signal: controller.signal })) {
          assert.equal(result.email, emails[index]);
          seen.push(result.email);
          if (seen.length === 2) {
            // Both fast answers are in; the slow peer has not even greeted.
            await waitFor(() => slow.stats.connections > 0, 'a connection to the slow peer');
            controller.abort();
          }
        }
      })(),
      'the stopped iteration',
    );
    assert.deepEqual(seen.sort(), ['a@fast.test', 'd@fast.test']);
  } finally {
    await beforeDeadline(v.close({ signal: AbortSignal.abort() }), 'close with a fired signal');
  }
  // The cut reached the peer: its connections are gone, not left to time out.
  await waitFor(() => slow.stats.activeConnections === 0, 'the slow peer to see the cut');
});

test('close({ signal }) waits for in-flight work until the signal fires, then cuts it', async () => {
  const v = makeVerifier();
  slow.resetStats();
  const pending = v.verify('e@slow.test');
  await waitFor(() => slow.stats.connections > 0, 'a connection to the slow peer');
  const stop = new AbortController();
  let closed = false;
  const closing = v.close({ signal: stop.signal }).then(() => (closed = true));
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(closed, false, 'close waits while the signal has not fired');
  stop.abort();
  await beforeDeadline(closing, 'close after its signal fired');
  const result = await beforeDeadline(pending, 'the cut verification');
  // The verification ends without evidence: never a verdict about the mailbox.
  assert.equal(result.status, 'unknown', JSON.stringify(result));
  await waitFor(() => slow.stats.activeConnections === 0, 'the slow peer to see the cut');
});
