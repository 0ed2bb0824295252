import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMailResolver, parseServerAddress } from '../../../src/verify/dns/index.js';
import { resolveDnsOptions } from '../../../src/verify/dns/dns-options.js';

test('server strings: IPv4 and IPv6, with and without a port', () => {
  assert.deepEqual(parseServerAddress('127.0.0.1:5353'), {
    host: '127.0.0.1',
    port: 5353,
    family: 4,
  });
  assert.deepEqual(parseServerAddress('9.9.9.9'), { host: '9.9.9.9', port: 53, family: 4 });
  assert.deepEqual(parseServerAddress('[::1]:53'), { host: '::1', port: 53, family: 6 });
  assert.deepEqual(parseServerAddress('[2001:db8::1]'), {
    host: '2001:db8::1',
    port: 53,
    family: 6,
  });
  assert.deepEqual(parseServerAddress('2001:db8::1'), { host: '2001:db8::1', port: 53, family: 6 });
  assert.deepEqual(parseServerAddress(' 10.0.0.1:65535 '), {
    host: '10.0.0.1',
    port: 65535,
    family: 4,
  });
});

test('bad server strings are rejected with a message naming them', () => {
  for (const bad of [
    '',
    'dns.google:53',
    'localhost',
    '1.2.3.4:0', // node's setServers would abort the process on port 0
    '1.2.3.4:65536', // ...and silently wrap this one
    '1.2.3.4:',
    '1.2.3.4:53x',
    '1.2.3.4:-1',
    '300.1.1.1:53',
    '[::1',
    '[::1]53',
    '[::1]:',
    '[127.0.0.1]:53',
    '[::1]:99999',
    'fe80::1::2',
  ]) {
    assert.throws(
      () => parseServerAddress(bad),
      (error: Error & { code?: string }) =>
        error.code === 'MV_ERR_INVALID_ARGUMENT' && error.message.includes(`"${bad}"`),
      bad,
    );
  }
});

test('createMailResolver refuses bad servers before touching the network', () => {
  assert.throws(() => createMailResolver({ servers: ['127.0.0.1:0'] }), {
    code: 'MV_ERR_INVALID_ARGUMENT',
    message: /127\.0\.0\.1:0/,
  });
});

test('options are validated and defaulted', async () => {
  const defaults = resolveDnsOptions();
  assert.equal(defaults.servers.length, 0);
  assert.ok(defaults.timeoutMs > 0 && defaults.tries >= 1);
  assert.ok(defaults.minTtlSeconds <= defaults.maxTtlSeconds);
  assert.ok(Object.isFrozen(defaults));
  for (const bad of [
    { timeoutMs: 0 },
    { timeoutMs: 1.5 },
    { tries: 0 },
    { tries: 11 },
    { minTtlSeconds: 100, maxTtlSeconds: 10 },
    { negativeTtlSeconds: -1 },
    { cacheSize: -1 },
    { servers: 'x' as unknown as string[] },
  ]) {
    assert.throws(
      () => resolveDnsOptions(bad),
      { code: 'MV_ERR_INVALID_ARGUMENT' },
      JSON.stringify(bad),
    );
  }
  // System resolvers (no servers): constructing and closing touches no network.
  await createMailResolver({}).close();
});
