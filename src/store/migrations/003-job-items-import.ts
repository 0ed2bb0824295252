import { sql } from 'kysely';
import type { StoreMigration } from './store-migration.js';

/** The name PostgreSQL gave 002's inline `references jobs(id)`. */
const ITEMS_JOB_FK = 'job_items_job_id_fkey';

/**
 * Faster job imports on PostgreSQL, where a COPY of a million items spent
 * half its time in the foreign key's per-row check (a trigger that looks up
 * and share-locks the parent job: 20.3 s with it, 10.6 s without, measured
 * with `\copy` on the 2-core CI machine).
 *
 * - The foreign key from job_items to jobs goes. Nothing relied on its
 *   cascade: every code path that removes a job deletes its items itself,
 *   first (JobService), and items are only ever written by the import of an
 *   existing job.
 * - `job_id` and `domain` compare bytewise (`collate "C"`): they are opaque
 *   keys, only ever grouped and matched, and locale-aware comparison made
 *   each insert into the claim index and primary key slower (≈ 10–20% of the
 *   COPY on a C.UTF-8 database; more under en_US-style locales).
 *
 * SQLite keeps both as they are: its foreign-key check is an in-process
 * index probe that costs nothing measurable (11.9 s with and without it for
 * a million rows), its default collation is already bytewise, and its ALTER
 * TABLE could only do this by copying the table.
 */
export const migration003JobItemsImport: StoreMigration = {
  async up(db, adapter) {
    if (!adapter.supportsAlterConstraints) return;
    await sql`alter table job_items drop constraint if exists ${sql.raw(ITEMS_JOB_FK)}`.execute(db);
    await sql`alter table job_items
      alter column job_id type text collate "C",
      alter column domain type text collate "C"`.execute(db);
  },

  async down(db, adapter) {
    if (!adapter.supportsAlterConstraints) return;
    await sql`alter table job_items
      alter column job_id type text collate "default",
      alter column domain type text collate "default"`.execute(db);
    // Items whose job is gone would make the constraint fail to come back.
    await sql`delete from job_items where job_id not in (select id from jobs)`.execute(db);
    await sql`alter table job_items add constraint ${sql.raw(ITEMS_JOB_FK)}
      foreign key (job_id) references jobs (id) on delete cascade`.execute(db);
  },
};
