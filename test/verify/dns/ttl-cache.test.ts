import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TtlCache } from '../../../src/verify/dns/ttl-cache.js';

test('entries live for their ttl on the injected clock', () => {
  let now = 0;
  const cache = new TtlCache<string>(10, () => now);
  cache.set('k', 'v', 1_000);
  now = 999;
  assert.deepEqual(cache.get('k'), { value: 'v', remainingMs: 1 });
  now = 1_000;
  assert.equal(cache.get('k'), undefined);
  assert.equal(cache.size, 0);
});

test('a ttl of 0 or a size of 0 stores nothing', () => {
  const cache = new TtlCache<number>(10, () => 0);
  cache.set('a', 1, 0);
  assert.equal(cache.get('a'), undefined);
  const off = new TtlCache<number>(0, () => 0);
  off.set('a', 1, 1_000);
  assert.equal(off.get('a'), undefined);
});

test('overflow evicts expired entries first, then the least recently used', () => {
  let now = 0;
  const cache = new TtlCache<number>(3, () => now);
  cache.set('old', 0, 10_000);
  cache.set('short', 1, 5);
  cache.set('b', 2, 10_000);
  now = 10;
  cache.get('old'); // refresh recency of "old"
  cache.set('c', 3, 10_000); // "short" has expired: it goes, nothing live does
  assert.deepEqual(
    [cache.get('old')?.value, cache.get('b')?.value, cache.get('c')?.value],
    [0, 2, 3],
  );
  cache.set('d', 4, 10_000); // full of live entries: least recent ("old") goes
  assert.equal(cache.get('old'), undefined);
  assert.equal(cache.size, 3);
});
