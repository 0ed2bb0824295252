/**
 * The CLI's security edges end to end: SMTP identity checked before any
 * connection, the SSRF switch loud when on, oversized addresses harmless,
 * and no password (DATABASE_URL, proxy) in anything printed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDnsServer } from '../world/dns-server.js';
import { startSmtpPeer, type SmtpPeer } from '../world/smtp-peer.js';
import { runMailvet } from './run-cli.js';
import { TEST_PG_URL } from '../store/dialects.js';

const PEER_IP = '127.0.9.20';
/** Eight MX hosts of one domain, each throttling at the banner. */
const FAN_IPS = Array.from({ length: 8 }, (_, i) => `127.0.9.${31 + i}`);
let dns: Awaited<ReturnType<typeof startDnsServer>>;
let peer: SmtpPeer;
const fanPeers: SmtpPeer[] = [];

before(async () => {
  peer = await startSmtpPeer({ host: PEER_IP, accept: ['alice'] });
  for (const host of FAN_IPS) fanPeers.push(await startSmtpPeer({ host, throttleAtBanner: true }));
  const fanZones = Object.fromEntries(FAN_IPS.map((ip, i) => [`mx${i}.fan.test`, { a: [ip] }]));
  const manyMx = Array.from({ length: 300 }, (_, i) => ({
    exchange: `mx${i}.many.test`,
    preference: i,
  }));
  // Public addresses: with --no-smtp nothing is dialled, they only have to exist.
  const manyHosts = Object.fromEntries(
    manyMx.map((m, i) => [m.exchange, { a: [`8.8.${i >> 8}.${i & 255}`] }]),
  );
  dns = await startDnsServer({
    zones: {
      ...fanZones,
      ...manyHosts,
      'fan.test': { mx: FAN_IPS.map((_, i) => ({ exchange: `mx${i}.fan.test`, preference: i })) },
      'many.test': { mx: manyMx },
      'ok.test': { mx: [{ exchange: 'mx.ok.test', preference: 10 }] },
      'mx.ok.test': { a: [PEER_IP] },
      'public.test': { mx: [{ exchange: 'mx.public.test', preference: 10 }] },
      'mx.public.test': { a: ['8.8.8.8'] },
    },
  });
});
after(async () => {
  await Promise.all([peer.close(), dns.close(), ...fanPeers.map((p) => p.close())]);
});

const base = () => ['check', '--json', '--dns', dns.address];

test('an unusable HELO name or MAIL FROM stops start-up (exit 2) before any connection', async () => {
  peer.resetStats();
  const cases: { env?: Record<string, string>; args?: string[]; option: RegExp }[] = [
    { env: { MAILVET_HELO: 'not a hostname' }, option: /smtp\.heloName/ },
    { env: { MAILVET_HELO: 'probe\u2028.test' }, option: /smtp\.heloName/ },
    { env: { MAILVET_FROM: 'a b@x.test' }, option: /smtp\.mailFrom/ },
    { env: { MAILVET_FROM: 'verify@x.test\u0085' }, option: /smtp\.mailFrom/ },
    { env: { MAILVET_FROM: 'vérify@x.test' }, option: /smtp\.mailFrom/ },
    { args: ['--from', 'v@x.test\r\nRSET'], option: /smtp\.mailFrom/ },
    { args: ['--helo', 'x.test\nMAIL FROM:<a@b>'], option: /smtp\.heloName/ },
  ];
  for (const c of cases) {
    const run = await runMailvet(
      [...base(), '--allow-private-mx', ...(c.args ?? []), 'alice@ok.test'],
      {
        env: c.env ?? {},
      },
    );
    assert.equal(run.code, 2, `${JSON.stringify(c)}: ${run.stderr}`);
    assert.match(run.stderr, c.option);
    assert.equal(run.stdout, '');
  }
  assert.equal(peer.stats.connections, 0);
});

test('--allow-private-mx warns on stderr; without it there is no warning and no connection', async () => {
  peer.resetStats();
  const on = await runMailvet([...base(), '--allow-private-mx', 'alice@ok.test']);
  assert.equal(on.code, 0, on.stderr);
  assert.match(on.stderr, /warning: smtp\.allowPrivateMx is on/);
  assert.equal(on.json()[0].status, 'deliverable');
  peer.resetStats();
  const off = await runMailvet([...base(), 'alice@ok.test']);
  assert.equal(off.stderr, '');
  assert.equal(off.json()[0].reason, 'unroutable_mx');
  assert.equal(peer.stats.connections, 0);
});

test('a 100 kB address, as an argument or on stdin, is just invalid_syntax', async () => {
  const huge = `${'a'.repeat(100_000)}@ok.test`;
  const arg = await runMailvet([...base(), '--no-smtp', huge]);
  assert.equal(arg.code, 0, arg.stderr);
  assert.equal(arg.json()[0].reason, 'invalid_syntax');
  const stdin = await runMailvet([...base(), '--no-smtp'], { stdin: `${huge}\nalice@ok.test\n` });
  assert.equal(stdin.code, 0, stdin.stderr);
  assert.deepEqual(
    stdin.json().map((r) => r.reason),
    ['invalid_syntax', 'smtp_skipped'],
  );
});

test('DATABASE_URL passwords never appear in CLI errors', async () => {
  const secret = 'S3cret-db-pw';
  const unreachable = `postgres://postgres:${secret}@127.0.0.1:1/test`;
  const pgUrl = new URL(TEST_PG_URL);
  const malformed = [
    `postgres://postgres:${secret}@[bad/test`,
    `mysql://postgres:${secret}@127.0.0.1/test`,
    `${pgUrl.protocol}//postgres:${secret}@${pgUrl.host}/test?schema=Bad-Name`,
  ];
  for (const url of [unreachable, ...malformed]) {
    for (const args of [['keys', 'list'], ['migrate']]) {
      const run = await runMailvet(args, { env: { DATABASE_URL: url } });
      assert.notEqual(run.code, 0, `${url} ${args.join(' ')}`);
      assert.ok(!(run.stdout + run.stderr).includes(secret), run.stderr);
    }
  }
});

test('proxy passwords never appear in results or errors', async () => {
  const secret = 'S3cret-proxy-pw';
  // mx.public.test is public, so the factory hands it to the (absent) proxy.
  const run = await runMailvet([
    ...base(),
    '--proxy',
    `socks5://user:${secret}@127.0.0.1:1`,
    'alice@public.test',
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.json()[0].status, 'unknown');
  assert.ok(!(run.stdout + run.stderr).includes(secret), run.stdout);
  const bad = await runMailvet([...base(), '--proxy', `socks5://user:${secret}@`, 'a@ok.test']);
  assert.equal(bad.code, 2);
  assert.ok(!bad.stderr.includes(secret), bad.stderr);
});

test('DNS and SMTP fan-out is capped: 300 MX records, 8 failing hosts', async () => {
  const many = await runMailvet([...base(), '--no-smtp', 'a@many.test']);
  assert.equal(many.code, 0, many.stderr);
  const mx = (many.json()[0].dns as { mx: unknown[] }).mx;
  assert.ok(mx.length > 0 && mx.length <= 10, `${mx.length} MX hosts kept`);

  const fan = await runMailvet([...base(), '--allow-private-mx', 'a@fan.test']);
  assert.equal(fan.code, 0, fan.stderr);
  assert.equal(fan.json()[0].status, 'unknown');
  const connections = fanPeers.reduce((n, p) => n + p.stats.connections, 0);
  assert.ok(connections <= 6, `${connections} connections for one address`);
});
