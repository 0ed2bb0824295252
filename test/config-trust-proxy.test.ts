/**
 * `server.trustProxy` (MAILVET_TRUST_PROXY) is checked when the config is
 * loaded: `true`, `false`, a hop count, or comma-separated proxy
 * IPs/CIDRs. Anything else stops start-up with a ConfigError naming the
 * option and where the value came from, not a stack trace from deep in the
 * HTTP server.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';
import { runMailvet } from './cli/run-cli.js';

const fromEnv = (value: string) => loadConfig({ env: { MAILVET_TRUST_PROXY: value }, file: null });

function refusal(value: string): string {
  try {
    fromEnv(value);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message;
  }
  assert.fail(`${JSON.stringify(value)} was accepted`);
}

test('true, false, hop counts and proxy lists are accepted', () => {
  for (const value of [
    'true',
    'FALSE',
    '0',
    '1',
    '100',
    '255',
    '127.0.0.1',
    '10.0.0.0/8, 192.168.1.7 ,2001:db8::/32,::1',
    'loopback,uniquelocal',
    '10.0.0.1,',
  ])
    assert.equal(fromEnv(value).server.trustProxy, value, value);
});

test('anything else is a ConfigError naming server.trustProxy and MAILVET_TRUST_PROXY', () => {
  for (const value of [
    'yes',
    'on',
    'no',
    '256',
    '1.5',
    '-1',
    '10.0.0.0/33',
    '10.0.0.0/8/8',
    '10.0.0.0/abc',
    '2001:db8::/129',
    '999.1.1.1',
    'fe80::1%eth0',
    '10.0.0.1, proxy.example.com',
  ]) {
    const message = refusal(value);
    assert.match(message, /^invalid server\.trustProxy \(env MAILVET_TRUST_PROXY\): /, value);
  }
  assert.match(refusal('yes'), /expected true, false, a hop count or comma-separated/);
  assert.match(refusal('256'), /hop count must be 0\.\.255/);
  assert.match(refusal('10.0.0.1,proxy.example.com'), /"proxy\.example\.com" is not an IP/);
});

test('a flag is checked the same way', () => {
  assert.throws(
    () => loadConfig({ env: {}, file: null, flags: { 'server.trustProxy': 'on' } }),
    /invalid server\.trustProxy \(flag\)/,
  );
});

const dataDir = mkdtempSync(join(tmpdir(), 'mailvet-trust-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

test('mailvet serve with MAILVET_TRUST_PROXY=yes: exit 2, one line naming the option', async () => {
  const run = await runMailvet(['serve'], {
    env: { MAILVET_TRUST_PROXY: 'yes', MAILVET_DATA_DIR: dataDir, MAILVET_PORT: '0' },
  });
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /^mailvet: invalid server\.trustProxy \(env MAILVET_TRUST_PROXY\): /);
  assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
});
