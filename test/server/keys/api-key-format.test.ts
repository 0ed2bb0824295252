import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  KEY_BODY_LENGTH,
  LOOKUP_ID_LENGTH,
  displayPrefix,
  generateApiKey,
  hashApiKey,
  hashesEqual,
  isWellFormedKey,
  lookupIdOf,
  randomBase62,
} from '../../../src/server/keys/api-key-format.js';
import { crc32 } from '../../../src/server/keys/crc32.js';

describe('api key format', () => {
  it('computes the standard CRC-32 check value', () => {
    assert.equal(crc32('123456789'), 0xcbf43926);
    assert.equal(crc32(''), 0);
  });

  it('generates prefixed, checksummed, distinct keys', () => {
    const keys = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const key = generateApiKey();
      assert.match(key, /^mv_live_[0-9A-Za-z]{40}_[0-9A-Za-z]{6}$/);
      assert.ok(isWellFormedKey(key), key);
      keys.add(key);
    }
    assert.equal(keys.size, 200);
    assert.ok(KEY_BODY_LENGTH >= 32);
  });

  it('uses every base62 character (no biased or missing symbols)', () => {
    const seen = new Set(randomBase62(20_000));
    assert.equal(seen.size, 62);
  });

  it('rejects a key whose checksum does not match (one changed character)', () => {
    const key = generateApiKey();
    const i = 'mv_live_'.length + 5;
    const other = key[i] === 'a' ? 'b' : 'a';
    assert.equal(isWellFormedKey(key.slice(0, i) + other + key.slice(i + 1)), false);
    const checkStart = key.length - 6;
    const bad =
      key.slice(0, checkStart) + (key[checkStart] === 'Z' ? 'Y' : 'Z') + key.slice(checkStart + 1);
    assert.equal(isWellFormedKey(bad), false);
  });

  it('rejects wrong shapes and non-strings without throwing', () => {
    const key = generateApiKey();
    for (const bad of [
      undefined,
      null,
      42,
      {},
      '',
      key.slice(0, -1),
      key + 'x',
      key.replace('mv_live_', 'mv_test_'),
      key.replace('mv_live_', 'MV_LIVE_'),
      ` ${key}`,
      `${key}\n`,
      'mv_live_' + 'a'.repeat(500) + '_abcdef',
      'mv_live_short_abcdef',
    ]) {
      assert.equal(isWellFormedKey(bad), false, String(bad));
    }
  });

  it('derives the lookup id and display prefix from the body', () => {
    const key = generateApiKey();
    const lookup = lookupIdOf(key);
    assert.equal(lookup.length, LOOKUP_ID_LENGTH);
    assert.ok(key.startsWith(`mv_live_${lookup}`));
    const shown = displayPrefix(lookup);
    assert.ok(shown.startsWith('mv_live_') && shown.endsWith('…'));
    assert.ok(shown.length < `mv_live_${lookup}`.length, 'display shows less than the lookup id');
  });

  it('hashes with SHA-256 and compares hashes exactly', () => {
    const key = generateApiKey();
    const h = hashApiKey(key);
    assert.match(h, /^[0-9a-f]{64}$/);
    assert.ok(hashesEqual(h, hashApiKey(key)));
    assert.equal(hashesEqual(h, hashApiKey(generateApiKey())), false);
    assert.equal(hashesEqual(h, ''), false);
  });
});
