import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REASONS, REASONS_BY_STATUS, STATUSES } from '../../src/verify/result.js';

test('every reason belongs to exactly one status', () => {
  const seen = new Set<string>();
  for (const s of STATUSES)
    for (const r of REASONS_BY_STATUS[s]) {
      assert.ok(!seen.has(r), `${r} listed twice`);
      seen.add(r);
    }
  assert.equal(seen.size, REASONS.length);
});
