import assert from 'node:assert/strict';
import { it } from 'node:test';
import { hashValue, maskEmail, sanitizeForLog } from '../../src/observability/logger.js';

/*
 * What reaches a log line or an audit row from a request: addresses masked or
 * hashed, and no character that could split or visually reorder the line.
 */

it('maskEmail keeps a plain first character and the domain', () => {
  assert.equal(maskEmail('jane.doe@Example.COM'), 'j***@example.com');
  assert.equal(maskEmail('7up@example.com'), '7***@example.com');
});

it('maskEmail hashes an address whose first character is not plain', () => {
  for (const value of [
    '\u0085evil@b.com',
    '\u202eevil@b.com',
    '\u2028x@b.com',
    '😀x@b.com', // the first UTF-16 unit would be half a surrogate pair
    '"quoted"@b.com',
  ]) {
    assert.equal(maskEmail(value), hashValue(value), JSON.stringify(value));
  }
  assert.equal(maskEmail('no-at-sign'), hashValue('no-at-sign'));
});

it('sanitizeForLog escapes controls, separators and bidi characters', () => {
  const out = sanitizeForLog('a\u0085b\u009bc\u2028d\u202ee\u2066f\ufeffg\r\nh');
  assert.equal(out, 'a\\u0085b\\u009bc\\u2028d\\u202ee\\u2066f\\ufeffg\\u000d\\u000ah');
  assert.doesNotMatch(
    out,
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/,
  );
});
