import { sql } from 'kysely';
import type { StoreMigration } from './store-migration.js';

/**
 * Repairs jobs left unfinishable by a queue bug fixed with this migration:
 * an item of a cancelled job that a worker released, or whose lease expired,
 * went back to `pending` and stayed there for ever (the job showed < 100 %).
 * The queue now skips such items itself; this turns the ones already stuck
 * into `skipped`, as a cancel would have. Only `pending` items: a `leased`
 * one may belong to a worker that is still running and will settle it.
 */
export const migration004CancelledItemsSkipped: StoreMigration = {
  async up(db) {
    const now = Date.now();
    await sql`update job_items set state = 'skipped', done_at = ${now}
      where state = 'pending'
        and job_id in (select id from jobs where state = 'cancelled')`.execute(db);
  },
  // Nothing to undo: the rows it changed were stuck, and `skipped` is what
  // the code of every version means for them. (A `down` still exists so a
  // rollback past this migration is possible at all.)
  async down() {},
};
