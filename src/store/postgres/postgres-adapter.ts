import type { CreateTableBuilder } from 'kysely';
import { StoreAdapterBase } from '../store-adapter-base.js';

/**
 * PostgreSQL through a pg pool: many connections, many processes and
 * machines, row locks with SKIP LOCKED for lease-based job claims.
 */
export class PostgresStoreAdapter extends StoreAdapterBase {
  readonly dialectName = 'postgres' as const;
  override readonly supportsSkipLocked = true;
  override readonly supportsReturning = true;
  override readonly supportsMultipleConnections = true;
  override readonly supportsTransactionalDdl = true;
  override readonly supportsSharedAccess = true;

  addIncrementingId<TB extends string, C extends string>(
    table: CreateTableBuilder<TB, C>,
    column: string,
  ): CreateTableBuilder<TB, C> {
    return table.addColumn(column, 'bigint', (c) =>
      c.primaryKey().generatedAlwaysAsIdentity(),
    ) as CreateTableBuilder<TB, C>;
  }
}
