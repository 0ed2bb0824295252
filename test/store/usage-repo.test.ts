import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDialect } from './dialects.js';
import { openStore } from '../../src/store/open-store.js';
import { usageDay } from '../../src/store/usage-repo.js';

forEachDialect('usage repo', (d) => {
  it('creates a counter on first increment and adds afterwards', async () => {
    const store = await d.open();
    await store.usage.increment('key_u1', '2030-01-02', 'deliverable');
    await store.usage.increment('key_u1', '2030-01-02', 'deliverable', 4);
    await store.usage.increment('key_u1', '2030-01-02', 'unknown', 2);
    await store.usage.increment('key_u1', '2030-01-01', 'deliverable');
    await store.usage.increment('key_other', '2030-01-02', 'deliverable', 9);
    assert.deepEqual(await store.usage.listByKey('key_u1'), [
      { keyId: 'key_u1', day: '2030-01-01', status: 'deliverable', count: 1 },
      { keyId: 'key_u1', day: '2030-01-02', status: 'deliverable', count: 5 },
      { keyId: 'key_u1', day: '2030-01-02', status: 'unknown', count: 2 },
    ]);
    assert.deepEqual(
      (await store.usage.listByKey('key_u1', { fromDay: '2030-01-02', toDay: '2030-01-02' }))
        .length,
      2,
    );
  });

  it('sums parallel increments exactly, from several connections and store instances', async () => {
    const a = await d.open();
    const b = await openStore({ ...d.storeOptions });
    try {
      const writes: Promise<void>[] = [];
      for (let i = 0; i < 200; i++) {
        writes.push(
          (i % 2 ? a : b).usage.increment('key_race', '2030-02-01', 'deliverable', 1 + (i % 3)),
        );
      }
      await Promise.all(writes);
      const expected = Array.from({ length: 200 }, (_, i) => 1 + (i % 3)).reduce((x, y) => x + y);
      assert.deepEqual(await a.usage.listByKey('key_race'), [
        { keyId: 'key_race', day: '2030-02-01', status: 'deliverable', count: expected },
      ]);
    } finally {
      await b.close();
    }
  });

  it('rejects bad days and amounts', async () => {
    const store = await d.open();
    await assert.rejects(store.usage.increment('k', '2030-1-2', 's'), /YYYY-MM-DD/);
    await assert.rejects(store.usage.increment('k', '2030-01-02', 's', 0), /positive integer/);
    await assert.rejects(store.usage.increment('k', '2030-01-02', 's', 1.5), /positive integer/);
  });

  it('derives the UTC day of a timestamp', () => {
    assert.equal(usageDay(Date.parse('2030-01-02T23:59:59.999Z')), '2030-01-02');
    assert.equal(usageDay(Date.parse('2030-01-03T00:00:00Z')), '2030-01-03');
  });
});
