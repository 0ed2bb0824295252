import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDnsServer } from '../world/dns-server.js';
import { runMailvet } from './run-cli.js';

type Dns = Awaited<ReturnType<typeof startDnsServer>>;
let dns: Dns;

before(async () => {
  dns = await startDnsServer({
    zones: {
      'mx.test': {
        mx: [
          { exchange: 'mx1.mx.test', preference: 10 },
          { exchange: 'mx0.mx.test', preference: 5 },
        ],
      },
      'mx1.mx.test': { a: ['192.0.2.10'] },
      'mx0.mx.test': { a: ['192.0.2.11'] },
      'implicit.test': { a: ['192.0.2.12'] },
      'v6only.test': { aaaa: ['2001:db8::1'] },
      'nullmx.test': { mx: [{ exchange: '.', preference: 0 }] },
      'gone.test': { rcode: 'NXDOMAIN' },
      'nodata.test': {},
      'broken.test': { rcode: 'SERVFAIL' },
      'slow.test': { delayMs: 3000, mx: [{ exchange: 'mx1.mx.test', preference: 10 }] },
      'mailinator.com': { mx: [{ exchange: 'mx1.mx.test', preference: 10 }] },
      'outlookk.com': { mx: [{ exchange: 'mx1.mx.test', preference: 10 }] },
      'deadmx.test': { mx: [{ exchange: 'nowhere.deadmx.test', preference: 10 }] },
    },
  });
});
after(() => dns.close());

const base = () => ['check', '--json', '--no-smtp', '--dns', dns.address, '--timeout', '20000'];
const env = () => ({ MAILVET_DNS_TIMEOUT_MS: '400', MAILVET_DNS_TRIES: '1' });

test('mailvet check --json --no-smtp gives the contract answer for every DNS case', async () => {
  const cases: [string, string, string][] = [
    ['user@mx.test', 'unknown', 'smtp_skipped'],
    ['user@implicit.test', 'unknown', 'smtp_skipped'],
    ['user@v6only.test', 'unknown', 'smtp_skipped'],
    ['user@nullmx.test', 'undeliverable', 'null_mx'],
    ['user@gone.test', 'undeliverable', 'no_such_domain'],
    ['user@nodata.test', 'undeliverable', 'no_mail_server'],
    ['user@deadmx.test', 'undeliverable', 'no_mail_server'],
    ['user@broken.test', 'unknown', 'dns_error'],
    ['user@slow.test', 'unknown', 'dns_error'],
    ['not an address', 'undeliverable', 'invalid_syntax'],
    ['someone@mailinator.com', 'risky', 'disposable'],
    ['someone@outlookk.com', 'risky', 'possible_typo'],
  ];
  const run = await runMailvet([...base(), ...cases.map((c) => c[0])], { env: env() });
  assert.equal(run.code, 0, run.stderr);
  const results = run.json();
  assert.equal(results.length, cases.length);
  cases.forEach(([email, status, reason], i) => {
    const r = results[i];
    assert.equal(r.email, email, 'results come out in input order');
    assert.deepEqual([r.status, r.reason], [status, reason], email);
  });
  const byEmail = new Map(results.map((r) => [r.email, r]));
  const mx = byEmail.get('user@mx.test') as {
    dns: { mx: { exchange: string }[]; implicitMx: boolean };
  };
  assert.deepEqual(
    mx.dns.mx.map((m) => m.exchange),
    ['mx0.mx.test', 'mx1.mx.test'],
    'MX sorted by preference',
  );
  assert.equal(
    (byEmail.get('user@implicit.test') as { dns: { implicitMx: boolean } }).dns.implicitMx,
    true,
  );
  assert.equal((byEmail.get('user@nullmx.test') as { dns: { nullMx: boolean } }).dns.nullMx, true);
  assert.equal(
    byEmail.get('user@broken.test')!.retryable,
    true,
    'temporary DNS failures are retryable',
  );
  assert.equal(byEmail.get('someone@outlookk.com')!.suggestion, 'someone@outlook.com');
  const disposable = byEmail.get('someone@mailinator.com') as { flags: { disposable: boolean } };
  assert.equal(disposable.flags.disposable, true);
});

test('every result carries the whole contract', async () => {
  const run = await runMailvet([...base(), 'Info@MX.test'], { env: env() });
  const [r] = run.json();
  for (const key of [
    'email',
    'normalized',
    'status',
    'reason',
    'flags',
    'suggestion',
    'provider',
    'syntax',
    'dns',
    'smtp',
    'retryable',
    'checkedAt',
    'durationMs',
  ]) {
    assert.ok(key in r, `missing ${key}`);
  }
  assert.equal(r.normalized, 'Info@mx.test');
  assert.equal((r.flags as { role: boolean }).role, true);
  assert.equal((r.smtp as { checked: boolean }).checked, false);
});

test('addresses from stdin, one per line; a readable table by default', async () => {
  const run = await runMailvet(['check', '--no-smtp', '--dns', dns.address], {
    stdin: 'a@gone.test\n\n# a comment\nb@nullmx.test\n',
    env: env(),
  });
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.trim().split('\n');
  assert.match(lines[0], /^EMAIL\s+STATUS\s+REASON/);
  assert.equal(lines.length, 3);
  assert.match(lines[1], /a@gone\.test\s+undeliverable\s+no_such_domain/);
  assert.match(lines[2], /b@nullmx\.test\s+undeliverable\s+null_mx/);
});

test('control characters in an address are escaped in the table', async () => {
  const run = await runMailvet(
    ['check', '--no-smtp', '--dns', dns.address, 'a\u001b[2Jb@gone.test'],
    { env: env() },
  );
  assert.equal(run.code, 0);
  assert.ok(!run.stdout.includes('\u001b'));
  assert.match(run.stdout, /invalid_syntax/);
});

test('bad usage is a clear message and a non-zero exit', async () => {
  const unknown = await runMailvet(['check', '--frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown option/);
  const badPort = await runMailvet(['check', '--smtp-port', 'abc', 'a@b.c']);
  assert.equal(badPort.code, 2);
  assert.match(badPort.stderr, /smtp\.port/);
  const badDns = await runMailvet(['check', '--dns', 'not a server', 'a@b.c']);
  assert.equal(badDns.code, 2);
  assert.match(badDns.stderr, /dns/i);
  const badEnv = await runMailvet(['check', 'a@b.c'], { env: { MAILVET_TIMEOUT: '-5' } });
  assert.equal(badEnv.code, 2);
  assert.match(badEnv.stderr, /MAILVET_TIMEOUT/);
});
