import { sql } from 'kysely';
import type { StoreMigration } from './store-migration.js';

/**
 * Bulk jobs and their items (the queue). Item counts are never stored: they
 * are derived from item states, so a crash can never leave a counter that
 * disagrees with the rows.
 *
 * Indexes serve the hot queries: claiming (`job_items_claim_idx`: the
 * pending items of one job, import batch and domain whose not_before has
 * passed), reaping
 * expired leases (`job_items_lease_idx`) and copying results to duplicates
 * (`job_items_canonical_idx`). Exports and progress walk the primary key.
 * Duplicates are found once, after an import, by one sort of the job's items
 * (a window function): an index on dedupe_key would be written at a random
 * place for every imported row and used by that one statement only.
 *
 * `import_batch` leads the claim index after job_id because a list's rows
 * arrive in random domain order: keyed by (job, domain) alone, every
 * imported row lands on the index page of its domain, so each import commit
 * dirties (and rewrites) thousands of scattered pages. With the batch number
 * first, one import transaction only ever writes a fresh, contiguous key
 * range that stays in cache — about twice the import rate on SQLite.
 */
export const migration002Jobs: StoreMigration = {
  async up(db) {
    await db.schema
      .createTable('jobs')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text')
      .addColumn('state', 'text', (c) =>
        c
          .notNull()
          .check(sql`state in ('importing', 'running', 'completed', 'cancelled', 'failed')`),
      )
      .addColumn('options', 'text', (c) => c.notNull())
      .addColumn('idempotency_key', 'text')
      .addColumn('columns', 'text', (c) => c.notNull())
      .addColumn('email_column', 'integer', (c) => c.notNull())
      .addColumn('total_items', 'bigint', (c) => c.notNull())
      .addColumn('error', 'text')
      .addColumn('webhook_url', 'text')
      .addColumn('webhook_secret', 'text')
      .addColumn('webhook_state', 'text', (c) =>
        c.notNull().check(sql`webhook_state in ('none', 'pending', 'delivered', 'failed')`),
      )
      .addColumn('webhook_attempts', 'integer', (c) => c.notNull())
      .addColumn('webhook_next_at', 'bigint')
      .addColumn('webhook_lease_until', 'bigint')
      .addColumn('webhook_last_error', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('import_heartbeat_at', 'bigint')
      .addColumn('started_at', 'bigint')
      .addColumn('finished_at', 'bigint')
      .execute();
    await db.schema
      .createIndex('jobs_owner_idempotency_uq')
      .ifNotExists()
      .on('jobs')
      .columns(['owner', 'idempotency_key'])
      .unique()
      .execute();
    await db.schema
      .createIndex('jobs_owner_created_idx')
      .ifNotExists()
      .on('jobs')
      .columns(['owner', 'created_at'])
      .execute();
    await db.schema
      .createIndex('jobs_state_idx')
      .ifNotExists()
      .on('jobs')
      .columns(['state', 'webhook_state'])
      .execute();

    await db.schema
      .createTable('job_items')
      .ifNotExists()
      .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
      .addColumn('item_no', 'bigint', (c) => c.notNull())
      .addColumn('cells', 'text', (c) => c.notNull())
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('dedupe_key', 'text', (c) => c.notNull())
      .addColumn('domain', 'text', (c) => c.notNull())
      .addColumn('import_batch', 'integer', (c) => c.notNull())
      .addColumn('state', 'text', (c) =>
        c.notNull().check(sql`state in ('pending', 'leased', 'done', 'error', 'skipped')`),
      )
      .addColumn('canonical_no', 'bigint')
      .addColumn('lease_owner', 'text')
      .addColumn('lease_expires_at', 'bigint')
      .addColumn('not_before', 'bigint', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('status', 'text')
      .addColumn('result', 'text')
      .addColumn('error', 'text')
      .addColumn('done_at', 'bigint')
      .addPrimaryKeyConstraint('job_items_pk', ['job_id', 'item_no'])
      .execute();
    // Partial indexes: only open items are indexed for claims and lease
    // reaping, so finished rows cost nothing there and an import writes one
    // entry fewer per row.
    await db.schema
      .createIndex('job_items_claim_idx')
      .ifNotExists()
      .on('job_items')
      .columns(['job_id', 'import_batch', 'domain', 'not_before'])
      .where(sql.ref('state'), '=', sql.lit('pending'))
      .execute();
    await db.schema
      .createIndex('job_items_lease_idx')
      .ifNotExists()
      .on('job_items')
      .column('lease_expires_at')
      .where(sql.ref('state'), '=', sql.lit('leased'))
      .execute();
    await db.schema
      .createIndex('job_items_canonical_idx')
      .ifNotExists()
      .on('job_items')
      .columns(['job_id', 'canonical_no'])
      .where(sql.ref('canonical_no'), 'is not', sql.lit(null))
      .execute();
  },

  async down(db) {
    await db.schema.dropTable('job_items').ifExists().execute();
    await db.schema.dropTable('jobs').ifExists().execute();
  },
};
