import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { forEachDialect } from './dialects.js';
import { openStore } from '../../src/store/open-store.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { JobService } from '../../src/jobs/job-service.js';
import { testJobsConfig } from '../jobs/fixtures.js';

forEachDialect('migrations', (d) => {
  it('starts with every migration pending, then applies them in order', async () => {
    const store = await d.fresh({ migrate: false });
    const before = await store.migrationStatus();
    assert.deepEqual(
      before.map((m) => [m.name, m.executedAt]),
      Object.keys(MIGRATIONS).map((name) => [name, undefined]),
    );
    const report = await store.migrateToLatest();
    assert.equal(report.error, undefined);
    assert.deepEqual(
      report.results.map((r) => [r.name, r.status]),
      Object.keys(MIGRATIONS).map((name) => [name, 'Success']),
    );
    const afterRun = await store.migrationStatus();
    assert.ok(afterRun.every((m) => m.executedAt instanceof Date));
  });

  it('is idempotent: a second run (and a second process) applies nothing', async () => {
    const first = await d.open();
    const again = await first.migrateToLatest();
    assert.equal(again.error, undefined);
    assert.deepEqual(again.results, []);
    const second = await d.open();
    assert.deepEqual((await second.migrateToLatest()).results, []);
  });

  it('creates every table of migration 001', async () => {
    const store = await d.open();
    for (const table of ['api_keys', 'audit_log', 'ip_blocks', 'usage_daily'] as const) {
      const rows = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(
        store.db,
      );
      assert.equal(Number(rows.rows[0].n), 0, table);
    }
  });

  it('answers ping and refuses work after close', async () => {
    const store = await openStore({ ...d.storeOptions, migrate: true });
    await store.ping();
    await store.close();
    await store.close();
    await assert.rejects(store.ping(), { code: 'MV_ERR_CLOSED' });
  });

  it('reports capability flags instead of a dialect switch', async () => {
    const store = await d.open();
    assert.equal(store.adapter.dialectName, d.dialect);
    assert.equal(store.adapter.supportsSkipLocked, d.dialect === 'postgres');
    assert.equal(store.adapter.supportsMultipleConnections, d.dialect === 'postgres');
    assert.equal(store.adapter.supportsReturning, true);
    assert.equal(store.adapter.supportsAlterConstraints, d.dialect === 'postgres');
  });

  it('004 turns pending items of cancelled jobs into skipped, and nothing else', async () => {
    const store = await d.fresh();
    const service = new JobService({
      db: store.db,
      adapter: store.adapter,
      jobs: testJobsConfig(),
    });
    const make = async () =>
      (
        await service.create({
          owner: 't',
          options: {},
          input: { kind: 'emails', emails: ['a@x.test', 'b@x.test', 'c@x.test'] },
        })
      ).job.id;
    const stuck = await make();
    const running = await make();
    // What the old queue left behind: a cancelled job with an item back in
    // pending (released after the cancel) and one still leased.
    await store.db
      .updateTable('jobs')
      .set({ state: 'cancelled' })
      .where('id', '=', stuck)
      .execute();
    await store.db
      .updateTable('job_items')
      .set({ state: 'leased', lease_owner: 'w', lease_expires_at: Date.now() + 60_000 })
      .where('job_id', '=', stuck)
      .where('item_no', '=', 3)
      .execute();

    await MIGRATIONS['004-cancelled-items-skipped']!.up(store.db, store.adapter);

    const states = async (id: string) =>
      (
        await store.db
          .selectFrom('job_items')
          .select(['item_no', 'state', 'done_at'])
          .where('job_id', '=', id)
          .orderBy('item_no')
          .execute()
      ).map((r) => [Number(r.item_no), r.state, r.done_at !== null]);
    assert.deepEqual(await states(stuck), [
      [1, 'skipped', true],
      [2, 'skipped', true],
      [3, 'leased', false],
    ]);
    assert.deepEqual(await states(running), [
      [1, 'pending', false],
      [2, 'pending', false],
      [3, 'pending', false],
    ]);
  });

  it('003 drops the job_items foreign key where ALTER TABLE can, and reverts', async () => {
    const store = await d.fresh();
    // The foreign key, by what each dialect reports of it.
    const hasForeignKey = async () =>
      store.adapter.supportsAlterConstraints
        ? (
            await sql<{ n: number }>`select count(*)::int as n from pg_constraint
              where conrelid = 'job_items'::regclass and contype = 'f'`.execute(store.db)
          ).rows[0].n > 0
        : (await sql`pragma foreign_key_list(job_items)`.execute(store.db)).rows.length > 0;
    // SQLite keeps it (its check costs nothing measurable); PostgreSQL drops it.
    assert.equal(await hasForeignKey(), !store.adapter.supportsAlterConstraints);
    const migration = MIGRATIONS['003-job-items-import'];
    await migration.down!(store.db, store.adapter);
    assert.equal(await hasForeignKey(), true);
    await migration.up(store.db, store.adapter);
    assert.equal(await hasForeignKey(), !store.adapter.supportsAlterConstraints);
    if (store.adapter.supportsAlterConstraints) {
      const collations = await sql<{ column_name: string; collation_name: string | null }>`
        select column_name, collation_name from information_schema.columns
        where table_schema = current_schema() and table_name = 'job_items'
          and column_name in ('job_id', 'domain') order by column_name`.execute(store.db);
      assert.deepEqual(
        collations.rows.map((r) => [r.column_name, r.collation_name]),
        [
          ['domain', 'C'],
          ['job_id', 'C'],
        ],
      );
    }
  });
});
