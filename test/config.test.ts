import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, loadConfig } from '../src/config.js';
import { renderConfigurationDoc } from '../scripts/configuration-doc.js';

const dir = mkdtempSync(join(tmpdir(), 'mailvet-config-'));
function file(content: unknown): string {
  const p = join(dir, `c${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}

test('defaults are complete and frozen', () => {
  const c = defaultConfig();
  assert.equal(c.smtp.port, 25);
  assert.equal(c.smtp.allowPrivateMx, false, 'SSRF guard is on by default');
  assert.deepEqual(c.dns.servers, []);
  assert.ok(Object.isFrozen(c.smtp));
  assert.throws(() => {
    (c.smtp as { port: number }).port = 1;
  });
});

test('flags beat env beat file beat defaults', () => {
  const f = file({
    smtp: { port: 2526, heloName: 'file.example' },
    dns: { servers: ['127.0.0.1:1'] },
  });
  const env = { MAILVET_SMTP_PORT: '2525', MAILVET_DNS: '127.0.0.1:5353, [::1]:53' };
  const c = loadConfig({ file: f, env, flags: { 'smtp.port': '2524' } });
  assert.equal(c.smtp.port, 2524);
  assert.equal(c.smtp.heloName, 'file.example');
  assert.deepEqual(c.dns.servers, ['127.0.0.1:5353', '[::1]:53']);
  assert.equal(loadConfig({ file: f, env }).smtp.port, 2525);
  assert.equal(loadConfig({ file: f, env: {} }).smtp.port, 2526);
});

test('MAILVET_CONFIG names the file', () => {
  const f = file({ timeoutMs: 1234 });
  assert.equal(loadConfig({ env: { MAILVET_CONFIG: f } }).timeoutMs, 1234);
});

test('bad values stop start-up with a message naming the option and source', () => {
  assert.throws(
    () => loadConfig({ env: { MAILVET_SMTP_PORT: 'abc' } }),
    /smtp\.port.*MAILVET_SMTP_PORT/,
  );
  assert.throws(() => loadConfig({ env: { MAILVET_SMTP_PORT: '70000' } }), /outside 1\.\.65535/);
  assert.throws(() => loadConfig({ env: { MAILVET_ALLOW_PRIVATE_MX: 'maybe' } }), /true\/false/);
  assert.throws(
    () => loadConfig({ env: { MAILVET_HELO: 'a\r\nRCPT TO:<x>' } }),
    /control characters/,
  );
  assert.throws(() => loadConfig({ env: { MAILVET_LOG_LEVEL: 'loud' } }), /one of/);
  assert.throws(
    () => loadConfig({ env: {}, file: file({ smtp: { prot: 25 } }) }),
    /unknown option "smtp\.prot"/,
  );
  assert.throws(() => loadConfig({ env: {}, file: file('{not json') }), /not valid JSON/);
  assert.throws(() => loadConfig({ env: {}, file: file([1, 2]) }), /JSON object/);
  assert.throws(
    () => loadConfig({ env: {}, file: join(dir, 'missing.json') }),
    /cannot read config file/,
  );
});

test('MAILVET_REDIS_KEY_PREFIX sets the prefix of Redis keys', () => {
  assert.equal(defaultConfig().redisKeyPrefix, 'mailvet');
  const env = { MAILVET_REDIS_KEY_PREFIX: 'mailvet-staging' };
  assert.equal(loadConfig({ env }).redisKeyPrefix, 'mailvet-staging');
  const f = file({ redisKeyPrefix: 'from-file' });
  assert.equal(loadConfig({ env: {}, file: f }).redisKeyPrefix, 'from-file');
  assert.equal(loadConfig({ env, file: f }).redisKeyPrefix, 'mailvet-staging');
  assert.throws(
    () => loadConfig({ env: { MAILVET_REDIS_KEY_PREFIX: 'a\nb' } }),
    /redisKeyPrefix.*MAILVET_REDIS_KEY_PREFIX.*control characters/,
  );
});

test('booleans accept the usual spellings', () => {
  assert.equal(loadConfig({ env: { MAILVET_SMTP: 'off' } }).smtp.enabled, false);
  assert.equal(loadConfig({ env: { MAILVET_SMTP: 'YES' } }).smtp.enabled, true);
});

test('docs/configuration.md is generated from the option table and up to date', () => {
  const committed = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8');
  assert.equal(committed, renderConfigurationDoc(), 'run: npx tsx scripts/configuration-doc.ts');
});
