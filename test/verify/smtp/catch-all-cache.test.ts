import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CatchAllCache } from '../../../src/verify/smtp/catch-all-cache.js';

test('remembers definitive answers until the TTL runs out', () => {
  let t = 0;
  const cache = new CatchAllCache({ ttlMs: 100, now: () => t });
  assert.equal(cache.get('a.test'), undefined);
  cache.set('a.test', true);
  cache.set('b.test', false);
  assert.equal(cache.get('a.test'), true);
  assert.equal(cache.get('b.test'), false);
  t = 100;
  assert.equal(cache.get('a.test'), undefined);
});

test('evicts the oldest domain beyond maxEntries', () => {
  const cache = new CatchAllCache({ maxEntries: 2 });
  cache.set('a.test', true);
  cache.set('b.test', true);
  cache.set('c.test', false);
  assert.equal(cache.size, 2);
  assert.equal(cache.get('a.test'), undefined);
  assert.equal(cache.get('c.test'), false);
});

test('a TTL of 0 disables caching', () => {
  const cache = new CatchAllCache({ ttlMs: 0 });
  cache.set('a.test', true);
  assert.equal(cache.get('a.test'), undefined);
});
