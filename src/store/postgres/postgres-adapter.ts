import { sql, type CreateTableBuilder, type Kysely } from 'kysely';
import type pg from 'pg';
import { StoreAdapterBase } from '../store-adapter-base.js';
import type { BulkColumn, BulkRow } from '../bulk-insert.js';
import { copyRowsIn } from './postgres-copy.js';

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
  override readonly supportsAlterConstraints = true;
  readonly #pool: pg.Pool | undefined;

  /** `pool`: the pool kysely uses, for bulkInsert's COPY; without it the portable path runs. */
  constructor(pool?: pg.Pool) {
    super();
    this.#pool = pool;
  }

  addIncrementingId<TB extends string, C extends string>(
    table: CreateTableBuilder<TB, C>,
    column: string,
  ): CreateTableBuilder<TB, C> {
    return table.addColumn(column, 'bigint', (c) =>
      c.primaryKey().generatedAlwaysAsIdentity(),
    ) as CreateTableBuilder<TB, C>;
  }

  /**
   * `COPY … FROM STDIN` on a connection of the store's pool: one statement,
   * so all rows commit or none do, about twice the rate of the multi-row
   * INSERT … UNNEST it replaced (docs/benchmarks.md). `db` is used only
   * when the adapter was built without the pool.
   */
  override async bulkInsert(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    db: Kysely<any>,
    table: string,
    columns: readonly BulkColumn[],
    rows: readonly BulkRow[],
  ): Promise<void> {
    if (!this.#pool) return super.bulkInsert(db, table, columns, rows);
    if (rows.length === 0) return;
    const client = await this.#pool.connect();
    let failure: Error | undefined;
    try {
      await copyRowsIn(client, table, columns, rows);
    } catch (err) {
      failure = err as Error;
      throw err;
    } finally {
      // A connection whose COPY failed midway is dropped rather than reused.
      client.release(failure);
    }
  }

  /** `ANALYZE` samples a fixed number of rows (default 30,000), whatever the table size. */
  override async refreshStatistics(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    db: Kysely<any>,
    table: string,
  ): Promise<void> {
    await sql`analyze ${sql.table(table)}`.execute(db);
  }
}
