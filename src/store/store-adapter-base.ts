import type { CreateTableBuilder, Kysely } from 'kysely';
import type { StoreAdapter } from './store-adapter.js';
import { portableBulkInsert, type BulkColumn, type BulkRow } from './bulk-insert.js';

/** Conservative defaults: a dialect opts in to each capability it has. */
export abstract class StoreAdapterBase implements StoreAdapter {
  abstract readonly dialectName: 'sqlite' | 'postgres';
  readonly supportsSkipLocked: boolean = false;
  readonly supportsReturning: boolean = false;
  readonly supportsMultipleConnections: boolean = false;
  readonly supportsTransactionalDdl: boolean = false;
  readonly supportsSharedAccess: boolean = false;
  readonly supportsAlterConstraints: boolean = false;
  abstract addIncrementingId<TB extends string, C extends string>(
    table: CreateTableBuilder<TB, C>,
    column: string,
  ): CreateTableBuilder<TB, C>;
  bulkInsert(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    db: Kysely<any>,
    table: string,
    columns: readonly BulkColumn[],
    rows: readonly BulkRow[],
  ): Promise<void> {
    return portableBulkInsert(db, table, columns, rows);
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async refreshStatistics(_db: Kysely<any>, _table: string): Promise<void> {}
}
