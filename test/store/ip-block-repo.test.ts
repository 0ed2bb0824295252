import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDialect } from './dialects.js';

const T0 = Date.parse('2030-05-01T00:00:00Z');

forEachDialect('ip block repo', (d) => {
  it('adds, lists, filters active blocks, replaces by CIDR and removes', async () => {
    const store = await d.open();
    const repo = store.ipBlocks;
    await repo.add({
      cidr: '198.51.100.0/24',
      reason: 'abuse',
      createdAt: T0,
      expiresAt: null,
      source: 'admin',
    });
    await repo.add({
      cidr: '203.0.113.7',
      reason: 'auth failures',
      createdAt: T0 + 1,
      expiresAt: T0 + 60_000,
      source: 'auto',
    });
    await repo.add({
      cidr: '2001:db8::/32',
      reason: null,
      createdAt: T0 + 2,
      expiresAt: T0 - 1,
      source: 'static',
    });

    assert.deepEqual(
      (await repo.list()).map((b) => b.cidr),
      ['2001:db8::/32', '203.0.113.7', '198.51.100.0/24'],
    );
    assert.deepEqual(
      (await repo.active(T0)).map((b) => b.cidr),
      ['198.51.100.0/24', '203.0.113.7'],
    );
    assert.deepEqual(
      (await repo.active(T0 + 60_000)).map((b) => b.cidr),
      ['198.51.100.0/24'],
    );

    // Re-adding the same CIDR replaces it (an auto block extended by an admin).
    await repo.add({
      cidr: '203.0.113.7',
      reason: 'manual',
      createdAt: T0 + 5,
      expiresAt: null,
      source: 'admin',
    });
    const replaced = (await repo.list()).filter((b) => b.cidr === '203.0.113.7');
    assert.deepEqual(replaced, [
      {
        cidr: '203.0.113.7',
        reason: 'manual',
        createdAt: T0 + 5,
        expiresAt: null,
        source: 'admin',
      },
    ]);

    assert.equal(await repo.pruneExpired(T0), 1);
    assert.equal(await repo.remove('198.51.100.0/24'), true);
    assert.equal(await repo.remove('198.51.100.0/24'), false);
    assert.deepEqual(
      (await repo.list()).map((b) => b.cidr),
      ['203.0.113.7'],
    );
  });

  it('an automatic block never replaces an admin block in force, but does an expired one or an older automatic one', async () => {
    const store = await d.open();
    const repo = store.ipBlocks;
    const auto = (cidr: string, at: number) => ({
      cidr,
      reason: 'repeated authentication failures',
      createdAt: at,
      expiresAt: at + 900_000,
      source: 'auto' as const,
    });
    const admin = { reason: 'abuse desk', createdAt: T0, source: 'admin' as const };
    await repo.add({ ...admin, cidr: '192.0.2.10', expiresAt: null });
    await repo.add({ ...admin, cidr: '192.0.2.11', expiresAt: T0 + 3_600_000 });
    await repo.add({ ...admin, cidr: '192.0.2.12', expiresAt: T0 + 1_000 });

    assert.equal(await repo.addAutomatic(auto('192.0.2.10', T0 + 10_000)), false);
    assert.equal(await repo.addAutomatic(auto('192.0.2.11', T0 + 10_000)), false);
    assert.equal(await repo.addAutomatic(auto('192.0.2.12', T0 + 10_000)), true, 'expired');
    assert.equal(await repo.addAutomatic(auto('192.0.2.13', T0 + 10_000)), true, 'new');
    assert.equal(await repo.addAutomatic(auto('192.0.2.13', T0 + 20_000)), true, 'extended');

    const byCidr = new Map((await repo.list()).map((b) => [b.cidr, b]));
    assert.deepEqual(byCidr.get('192.0.2.10'), { ...admin, cidr: '192.0.2.10', expiresAt: null });
    assert.deepEqual(byCidr.get('192.0.2.11'), {
      ...admin,
      cidr: '192.0.2.11',
      expiresAt: T0 + 3_600_000,
    });
    assert.deepEqual(byCidr.get('192.0.2.12'), auto('192.0.2.12', T0 + 10_000));
    assert.deepEqual(byCidr.get('192.0.2.13'), auto('192.0.2.13', T0 + 20_000));
  });

  it('refuses an unknown source at the database level', async () => {
    const store = await d.open();
    await assert.rejects(
      store.ipBlocks.add({
        cidr: '192.0.2.1',
        reason: null,
        createdAt: T0,
        expiresAt: null,
        source: 'guess' as 'admin',
      }),
    );
  });
});
