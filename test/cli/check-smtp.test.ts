/**
 * Issue 3, item 9: every reason SMTP can produce, end to end through
 * `mailvet check --json --allow-private-mx` against real servers on loopback
 * (scripted peers on 127.0.5.x:25 and a real Postfix on 127.0.0.25:25).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDnsServer } from '../world/dns-server.js';
import { startSmtpPeer, type SmtpPeer } from '../world/smtp-peer.js';
import { startPostfix, type PostfixInstance } from '../world/postfix.js';
import { runMailvet } from './run-cli.js';

let dns: Awaited<ReturnType<typeof startDnsServer>>;
let postfix: PostfixInstance;
const peers: SmtpPeer[] = [];

/** One domain per behaviour, each with its own MX host and peer. */
const WORLD: Record<
  string,
  { ip: string; mxName?: string; peer?: Parameters<typeof startSmtpPeer>[0] }
> = {
  'ok.test': {
    ip: '127.0.5.1',
    peer: {
      host: '127.0.5.1',
      accept: ['alice', 'info'],
      replies: {
        full: '452 4.2.2 Mailbox full, try again later',
        disabled: '550 5.2.1 The email account that you tried to reach is disabled',
        dbeb: '550 5.4.1 Recipient address rejected: Access denied. AS(201806281)',
        temp: '451 4.3.0 Temporary local problem, please try later',
      },
    },
  },
  'catchall.test': { ip: '127.0.5.2', peer: { host: '127.0.5.2', catchAll: true } },
  'grey.test': { ip: '127.0.5.3', peer: { host: '127.0.5.3', greylist: 100, accept: ['alice'] } },
  'blocked.test': { ip: '127.0.5.4', peer: { host: '127.0.5.4', blockRcpt: true } },
  'banner.test': {
    ip: '127.0.5.5',
    peer: {
      host: '127.0.5.5',
      banner: '554 5.7.1 Service unavailable; client host blocked using zen.spamhaus.org',
    },
  },
  'tarpit.test': { ip: '127.0.5.6', peer: { host: '127.0.5.6', tarpitMs: 4000 } },
  'refused.test': { ip: '127.0.5.7' }, // nothing listens there
  'throttle.test': { ip: '127.0.5.8', peer: { host: '127.0.5.8', throttleAtBanner: true } },
  'yahoo-hosted.test': {
    ip: '127.0.5.9',
    mxName: 'mta5.am0.yahoodns.net',
    peer: { host: '127.0.5.9', catchAll: true },
  },
};

before(async () => {
  const zones: Record<string, object> = {};
  for (const [domain, w] of Object.entries(WORLD)) {
    const mx = w.mxName ?? `mx.${domain}`;
    zones[domain] = { mx: [{ exchange: mx, preference: 10 }] };
    zones[mx] = { a: [w.ip] };
    if (w.peer) peers.push(await startSmtpPeer(w.peer));
  }
  zones['breaker.test'] = { mx: [{ exchange: 'mx.breaker.test', preference: 10 }] };
  zones['mx.breaker.test'] = { a: ['127.0.5.10'] }; // nothing listens there
  postfix = await startPostfix();
  for (const domain of Object.values(postfix.domains)) {
    zones[domain] = { mx: [{ exchange: `mx.${domain}`, preference: 10 }] };
    zones[`mx.${domain}`] = { a: [postfix.host] };
  }
  dns = await startDnsServer({ zones });
});

after(async () => {
  await Promise.all(peers.map((p) => p.close()));
  await postfix?.stop();
  await dns?.close();
});

const env = {
  MAILVET_SMTP_COMMAND_TIMEOUT_MS: '1500',
  MAILVET_SMTP_CONNECT_TIMEOUT_MS: '1500',
  MAILVET_HELO: 'verifier.mailvet.test',
  MAILVET_FROM: 'probe@mailvet.test',
};

async function check(emails: string[], extra: string[] = []) {
  const run = await runMailvet(
    ['check', '--json', '--dns', dns.address, '--allow-private-mx', ...extra, ...emails],
    { env },
  );
  assert.equal(run.code, 0, run.stderr);
  return new Map(run.json().map((r) => [r.email as string, r]));
}

test('every SMTP reason, end to end through mailvet check', async () => {
  const cases: [string, string, string][] = [
    ['alice@ok.test', 'deliverable', 'accepted'],
    ['nobody@ok.test', 'undeliverable', 'mailbox_not_found'],
    ['dbeb@ok.test', 'undeliverable', 'mailbox_not_found'],
    ['disabled@ok.test', 'undeliverable', 'mailbox_disabled'],
    ['full@ok.test', 'risky', 'mailbox_full'],
    ['temp@ok.test', 'unknown', 'smtp_temporary_error'],
    ['anyone@catchall.test', 'risky', 'catch_all'],
    ['alice@grey.test', 'unknown', 'greylisted'],
    ['alice@blocked.test', 'unknown', 'blocked'],
    ['alice@banner.test', 'unknown', 'blocked'],
    ['alice@tarpit.test', 'unknown', 'timeout'],
    ['alice@refused.test', 'unknown', 'connection_failed'],
    ['alice@throttle.test', 'unknown', 'smtp_temporary_error'],
    ['alice@yahoo-hosted.test', 'unknown', 'provider_unverifiable'],
  ];
  const results = await check(cases.map((c) => c[0]));
  for (const [email, status, reason] of cases) {
    const r = results.get(email)!;
    assert.deepEqual([r.status, r.reason], [status, reason], `${email}: ${JSON.stringify(r.smtp)}`);
  }
  const alice = results.get('alice@ok.test') as {
    smtp: { checked: boolean; code: number; mxHost: string };
  };
  assert.deepEqual(
    [alice.smtp.checked, alice.smtp.code, alice.smtp.mxHost],
    [true, 250, 'mx.ok.test'],
  );
  const grey = results.get('alice@grey.test')!;
  assert.equal(grey.retryable, true);
  assert.ok(
    typeof grey.retryAfterSeconds === 'number' && grey.retryAfterSeconds > 0,
    'greylisting says when to retry',
  );
  assert.equal(
    (results.get('anyone@catchall.test')!.flags as { catchAll: boolean }).catchAll,
    true,
  );
  assert.equal(results.get('alice@yahoo-hosted.test')!.provider, 'yahoo');
  assert.equal(results.get('nobody@ok.test')!.retryable, false);
  // Nothing inconclusive may ever be called undeliverable.
  for (const r of results.values()) {
    if (r.status === 'undeliverable')
      assert.match(String(r.reason), /mailbox_not_found|mailbox_disabled/);
  }
});

test('after repeated connect failures the host breaker opens: mx_unavailable, no more connects', async () => {
  // One at a time, so each failure is counted before the next address starts.
  const emails = Array.from({ length: 7 }, (_, i) => `u${i}@breaker.test`);
  const results = [...(await check(emails, ['--concurrency', '1'])).values()];
  assert.deepEqual(
    results.slice(0, 5).map((r) => r.reason),
    Array(5).fill('connection_failed'),
  );
  assert.deepEqual(
    results.slice(5).map((r) => r.reason),
    ['mx_unavailable', 'mx_unavailable'],
  );
  assert.ok(results.every((r) => r.status === 'unknown' && r.retryable === true));
});

test('a role account that does not exist is undeliverable, with the role flag kept', async () => {
  const results = await check(['admin@ok.test', 'info@ok.test']);
  const admin = results.get('admin@ok.test')!;
  assert.deepEqual([admin.status, admin.reason], ['undeliverable', 'mailbox_not_found']);
  assert.equal((admin.flags as { role: boolean }).role, true);
  assert.equal(results.get('info@ok.test')!.status, 'deliverable');
});

test('the yahoo-hosted peer was never probed: no fake verdict', () => {
  const yahoo = peers.find((p) => p.host === '127.0.5.9')!;
  assert.equal(yahoo.stats.connections, 0);
});

test('without --allow-private-mx, loopback mail hosts are refused: unroutable_mx, no connection made', async () => {
  const ok = peers.find((p) => p.host === '127.0.5.1')!;
  const before = ok.stats.connections;
  const run = await runMailvet(['check', '--json', '--dns', dns.address, 'alice@ok.test'], { env });
  const [r] = run.json();
  assert.deepEqual([r.status, r.reason], ['undeliverable', 'unroutable_mx']);
  assert.equal(ok.stats.connections, before);
});

test('a real Postfix: known user, unknown user, catch-all domain, greylisting', async () => {
  const d = postfix.domains;
  const results = await check([
    `alice@${d.accept}`,
    `nobody@${d.accept}`,
    `whoever@${d.catchAll}`,
    `alice@${d.greylist}`,
  ]);
  const get = (e: string) => {
    const r = results.get(e)!;
    return [r.status, r.reason];
  };
  assert.deepEqual(get(`alice@${d.accept}`), ['deliverable', 'accepted']);
  assert.deepEqual(get(`nobody@${d.accept}`), ['undeliverable', 'mailbox_not_found']);
  assert.deepEqual(get(`whoever@${d.catchAll}`), ['risky', 'catch_all']);
  assert.deepEqual(get(`alice@${d.greylist}`), ['unknown', 'greylisted']);
});

test('many addresses at one host share one connection (pooling through the CLI)', async () => {
  const ok = peers.find((p) => p.host === '127.0.5.1')!;
  ok.resetStats();
  const emails = Array.from({ length: 40 }, (_, i) => `user${i}@ok.test`);
  const results = await check(emails);
  assert.equal(results.size, 40);
  assert.ok([...results.values()].every((r) => r.reason === 'mailbox_not_found'));
  assert.ok(ok.stats.connections <= 2, `connections: ${ok.stats.connections}`);
});
