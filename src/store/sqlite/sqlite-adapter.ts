import type { CreateTableBuilder } from 'kysely';
import { StoreAdapterBase } from '../store-adapter-base.js';

/**
 * SQLite through better-sqlite3: one connection per process (kysely
 * serialises queries on it), one writer per file (WAL lets readers continue).
 * No SKIP LOCKED: a lease claim is a short write transaction instead, which
 * is already exclusive because SQLite has a single writer.
 */
export class SqliteStoreAdapter extends StoreAdapterBase {
  readonly dialectName = 'sqlite' as const;
  override readonly supportsReturning = true; // SQLite >= 3.35; better-sqlite3 12 bundles 3.4x
  override readonly supportsTransactionalDdl = true;

  addIncrementingId<TB extends string, C extends string>(
    table: CreateTableBuilder<TB, C>,
    column: string,
  ): CreateTableBuilder<TB, C> {
    // Only the exact spelling `integer primary key` aliases the rowid. No
    // AUTOINCREMENT: ids still only grow while rows at the top are kept.
    return table.addColumn(column, 'integer', (c) =>
      c.primaryKey().notNull(),
    ) as CreateTableBuilder<TB, C>;
  }
}
