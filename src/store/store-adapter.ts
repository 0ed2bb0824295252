import type { CreateTableBuilder } from 'kysely';

/**
 * What differs between the dialects, as capability flags. Callers (jobs,
 * server, repositories) check flags, never a dialect name — the kysely habit
 * of `supportsTransactionalDdl` rather than `if (postgres)`.
 */
export interface StoreAdapter {
  /** For logs and `mailvet migrate` output only; do not branch on it. */
  readonly dialectName: 'sqlite' | 'postgres';
  /** `SELECT … FOR UPDATE SKIP LOCKED` (lease claims without blocking). */
  readonly supportsSkipLocked: boolean;
  /** `INSERT/UPDATE … RETURNING`. */
  readonly supportsReturning: boolean;
  /** Several connections write concurrently (else one writer, serialised). */
  readonly supportsMultipleConnections: boolean;
  /** DDL runs inside a transaction (a failed migration rolls back fully). */
  readonly supportsTransactionalDdl: boolean;
  /** Other processes on other machines can share this database. */
  readonly supportsSharedAccess: boolean;
  /**
   * Add an auto-incrementing integer primary key column: SQLite needs the
   * exact type `integer primary key`, PostgreSQL an identity column.
   */
  addIncrementingId<TB extends string, C extends string>(
    table: CreateTableBuilder<TB, C>,
    column: string,
  ): CreateTableBuilder<TB, C>;
}
