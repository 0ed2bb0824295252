import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDialect } from './dialects.js';

const DAY = 86_400_000;
const T0 = Date.parse('2030-03-10T12:00:00Z');

forEachDialect('audit repo', (d) => {
  async function seeded() {
    const store = await d.fresh();
    await store.audit.insertMany([
      { at: T0 - 10 * DAY, keyId: 'key_a', route: '/v1/verify', status: 200, method: 'POST' },
      { at: T0 - 2 * DAY, keyId: 'key_b', route: '/v1/verify', status: 429, method: 'POST' },
      { at: T0 - DAY, keyId: 'key_a', route: '/v1/jobs', status: 201, detail: { items: 3 } },
      {
        at: T0,
        keyId: 'key_a',
        route: '/v1/verify',
        status: 200,
        requestId: 'r-1',
        ip: '192.0.2.1',
      },
      { at: T0 + 1, keyId: null, route: '/v1/verify', status: 401, action: 'auth.fail' },
    ]);
    return store;
  }

  it('stores every field and returns newest first', async () => {
    const store = await seeded();
    await store.audit.insert({
      at: T0 + 5,
      requestId: 'r-9',
      keyId: 'key_z',
      ip: '2001:db8::1',
      method: 'DELETE',
      route: '/v1/keys/:id',
      status: 204,
      latencyMs: 12,
      action: 'key.revoke',
      object: 'key_y',
      detail: { reason: 'leaked', nested: [1, 2] },
    });
    const { entries } = await store.audit.query({ limit: 2 });
    assert.equal(entries.length, 2);
    const { id, ...rest } = entries[0];
    assert.equal(typeof id, 'number');
    assert.deepEqual(rest, {
      at: T0 + 5,
      requestId: 'r-9',
      keyId: 'key_z',
      ip: '2001:db8::1',
      method: 'DELETE',
      route: '/v1/keys/:id',
      status: 204,
      latencyMs: 12,
      action: 'key.revoke',
      object: 'key_y',
      detail: { reason: 'leaked', nested: [1, 2] },
    });
    assert.equal(entries[1].status, 401);
    assert.equal(entries[1].keyId, null);
  });

  it('filters by key, route, status and time window', async () => {
    const store = await seeded();
    const q = async (f: Parameters<typeof store.audit.query>[0]) =>
      (await store.audit.query(f)).entries.map((e) => e.at);
    assert.deepEqual(await q({ keyId: 'key_a' }), [T0, T0 - DAY, T0 - 10 * DAY]);
    assert.deepEqual(await q({ keyId: 'key_a', route: '/v1/verify' }), [T0, T0 - 10 * DAY]);
    assert.deepEqual(await q({ status: 429 }), [T0 - 2 * DAY]);
    assert.deepEqual(await q({ from: T0 - 2 * DAY, to: T0 }), [T0 - DAY, T0 - 2 * DAY]);
    assert.deepEqual(await q({ keyId: 'key_nobody' }), []);
  });

  it('pages with a cursor until the end', async () => {
    const store = await seeded();
    const seen: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.audit.query({ route: '/v1/verify', limit: 2, cursor });
      seen.push(...page.entries.map((e) => e.at));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    assert.deepEqual(seen, [T0 + 1, T0, T0 - 2 * DAY, T0 - 10 * DAY]);
    assert.equal(pages, 2);
  });

  it('rejects bad limits and cursors', async () => {
    const store = await seeded();
    await assert.rejects(store.audit.query({ limit: 0 }), /limit must be/);
    await assert.rejects(store.audit.query({ limit: 100_000 }), /limit must be/);
    await assert.rejects(store.audit.query({ cursor: "1' or 1=1" }), /invalid audit cursor/);
  });

  it('prunes entries older than N days and keeps the rest', async () => {
    const store = await seeded();
    assert.equal(await store.audit.prune(3, T0), 1);
    assert.equal(await store.audit.prune(3, T0), 0);
    const left = (await store.audit.query({ limit: 1000 })).entries.map((e) => e.at);
    assert.ok(!left.includes(T0 - 10 * DAY));
    assert.ok(left.includes(T0 - 2 * DAY));
    await assert.rejects(store.audit.prune(-1, T0), /retention days/);
  });
});
