import { sql, type CreateTableBuilder, type Kysely } from 'kysely';
import { StoreAdapterBase } from '../store-adapter-base.js';
import type { BulkColumn, BulkRow } from '../bulk-insert.js';

/** Rows per INSERT … UNNEST: each column travels as one array parameter. */
export const PG_BULK_ROWS_PER_STATEMENT = 10_000;

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

  /**
   * `INSERT … SELECT * FROM unnest($1::text[], $2::bigint[], …)`: one
   * parameter per column whatever the row count, so the statement text and
   * its parse cost stay constant and no parameter limit applies.
   */
  override async bulkInsert(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    db: Kysely<any>,
    table: string,
    columns: readonly BulkColumn[],
    rows: readonly BulkRow[],
  ): Promise<void> {
    if (rows.length === 0) return;
    const names = sql.join(columns.map((c) => sql.ref(c.name)));
    await db.transaction().execute(async (trx) => {
      for (let at = 0; at < rows.length; at += PG_BULK_ROWS_PER_STATEMENT) {
        const chunk = rows.slice(at, at + PG_BULK_ROWS_PER_STATEMENT);
        const arrays = columns.map((c, i) => sql`${chunk.map((r) => r[i])}::${sql.raw(c.type)}[]`);
        await sql`insert into ${sql.table(table)} (${names}) select * from unnest(${sql.join(arrays)})`.execute(
          trx,
        );
      }
    });
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
