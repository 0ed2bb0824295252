/**
 * The config file is read with a size cap and its errors never echo secrets
 * it may hold (docs/security.md).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'mailvet-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function configError(file: string): ConfigError {
  try {
    loadConfig({ env: {}, file });
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err;
  }
  assert.fail('expected a ConfigError');
}

test('a config file over 1 MiB is refused with a clear error', () => {
  const file = join(dir, 'big.json');
  writeFileSync(file, `{"logLevel": "info", "pad": "${'x'.repeat(2 * 1024 * 1024)}"}`);
  assert.match(configError(file).message, /larger than 1048576 bytes/);
});

test('an endless device is read only up to the cap', () => {
  assert.match(configError('/dev/zero').message, /larger than 1048576 bytes/);
});

test('a directory or a missing file is a ConfigError, not a crash', () => {
  assert.match(configError(dir).message, /cannot read config file/);
  assert.match(configError(join(dir, 'missing.json')).message, /cannot read config file/);
});

test('a JSON syntax error does not quote the text around it (it may be a password)', () => {
  const secret = 'hunter2-db-password';
  for (const [name, text] of [
    ['unquoted.json', `{"store": {"databaseUrl": postgres://u:${secret}@db/x}}`],
    ['short.json', `{"a": tru ${secret}}`],
    ['trailing.json', `{"store": {"databaseUrl": "postgres://u:${secret}@db/x",}}`],
  ]) {
    const file = join(dir, name);
    writeFileSync(file, text);
    const err = configError(file);
    assert.match(err.message, /is not valid JSON/);
    assert.ok(!err.message.includes(secret), err.message);
    assert.ok(!String(err.stack).includes(secret));
  }
});
