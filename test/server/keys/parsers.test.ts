import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatRate, parseRate } from '../../../src/server/keys/parse-rate.js';
import { parseDuration } from '../../../src/server/keys/parse-duration.js';
import { parseScopes } from '../../../src/server/keys/api-key-scope.js';

describe('parseRate', () => {
  it('reads count per unit', () => {
    assert.deepEqual(parseRate('600/min'), { limit: 600, windowSeconds: 60 });
    assert.deepEqual(parseRate('10/s'), { limit: 10, windowSeconds: 1 });
    assert.deepEqual(parseRate('36000/hour'), { limit: 36000, windowSeconds: 3600 });
    assert.deepEqual(parseRate('5/sec'), { limit: 5, windowSeconds: 1 });
    assert.deepEqual(parseRate('100 / 5m'), { limit: 100, windowSeconds: 300 });
    assert.deepEqual(parseRate('1000/day'), { limit: 1000, windowSeconds: 86400 });
    assert.deepEqual(parseRate('7/minutes'), { limit: 7, windowSeconds: 60 });
  });

  it('rejects malformed or out-of-range rates with the accepted forms', () => {
    for (const bad of [
      '',
      '600',
      '/min',
      '600/',
      '600/fortnight',
      '-1/s',
      '1.5/s',
      '0/min',
      'abc/min',
    ]) {
      assert.throws(() => parseRate(bad), { code: 'MV_ERR_INVALID_ARGUMENT' }, bad);
    }
    assert.throws(() => parseRate('600/min/x'), /expected <count>\/<unit> like 600\/min/);
    assert.throws(() => parseRate('10/2d'), /window must be/);
  });

  it('formats back to the short form', () => {
    assert.equal(formatRate(parseRate('600/min')), '600/min');
    assert.equal(formatRate(parseRate('10/s')), '10/s');
    assert.equal(formatRate(parseRate('36000/hour')), '36000/hour');
    assert.equal(formatRate(parseRate('9/5m')), '9/300s');
  });
});

describe('parseDuration', () => {
  it('reads one number and unit into seconds', () => {
    assert.equal(parseDuration('30d'), 30 * 86400);
    assert.equal(parseDuration('12h'), 12 * 3600);
    assert.equal(parseDuration('15m'), 900);
    assert.equal(parseDuration('45s'), 45);
    assert.equal(parseDuration('2w'), 14 * 86400);
    assert.equal(parseDuration('0'), 0);
    assert.equal(parseDuration('0s'), 0);
  });

  it('rejects anything else clearly', () => {
    for (const bad of ['', '30', 'd', '1.5h', '-1d', '3y', '1h30m', '99999999999d']) {
      assert.throws(() => parseDuration(bad), { code: 'MV_ERR_INVALID_ARGUMENT' }, bad);
    }
    assert.throws(() => parseDuration('3y'), /unit s, m, h, d or w/);
    assert.throws(() => parseDuration('5000w'), /exceeds 10 years/);
  });
});

describe('parseScopes', () => {
  it('dedupes and orders known scopes', () => {
    assert.deepEqual(parseScopes('jobs, verify,jobs'), ['verify', 'jobs']);
    assert.deepEqual(parseScopes(['admin']), ['admin']);
  });

  it('rejects unknown or empty scopes', () => {
    assert.throws(() => parseScopes('verify,root'), /unknown scope "root"/);
    assert.throws(() => parseScopes(''), /at least one scope/);
    assert.throws(() => parseScopes([]), /at least one scope/);
  });
});
