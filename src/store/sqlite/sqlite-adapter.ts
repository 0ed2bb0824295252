import type { CreateTableBuilder, Kysely } from 'kysely';
import type BetterSqlite3 from 'better-sqlite3';
import { StoreAdapterBase } from '../store-adapter-base.js';
import type { BulkColumn, BulkRow } from '../bulk-insert.js';

/** Rows bound per prepared multi-row INSERT (fewer statement steps per row). */
export const SQLITE_BULK_ROWS_PER_STATEMENT = 200;
/** Rows inserted between two turns of the event loop (≈ 10–20 ms of work). */
export const SQLITE_BULK_SLICE_ROWS = 1000;
/** Bound parameters per statement; SQLite's own limit is 32,766. */
const SQLITE_MAX_PARAMETERS = 32_000;
/** Names are spliced into SQL, so only plain identifiers are accepted. */
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** The slice of better-sqlite3 the adapter uses. */
export type SqliteBulkDatabase = Pick<BetterSqlite3.Database, 'prepare' | 'exec' | 'inTransaction'>;

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
  readonly #database: SqliteBulkDatabase | undefined;
  readonly #statements = new Map<string, BetterSqlite3.Statement>();

  /** `database`: the handle kysely uses, for bulkInsert; without it the portable path runs. */
  constructor(database?: SqliteBulkDatabase) {
    super();
    this.#database = database;
  }

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

  /**
   * Prepared multi-row INSERTs (cached per table and column list) in one
   * SQLite transaction. Kysely's connection is held throughout, so no other
   * query of this process runs on the handle (or sees half the rows); the
   * work runs in slices of SQLITE_BULK_SLICE_ROWS with the event loop let go
   * between them, so requests that need no database keep being served. The
   * rows are all in memory: how long the connection is held depends only on
   * the row count, never on a slow client. Several times faster than
   * compiling a kysely INSERT per batch.
   */
  override async bulkInsert(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    db: Kysely<any>,
    table: string,
    columns: readonly BulkColumn[],
    rows: readonly BulkRow[],
  ): Promise<void> {
    const database = this.#database;
    if (!database) return super.bulkInsert(db, table, columns, rows);
    if (rows.length === 0) return;
    const width = columns.length;
    const perStatement = Math.max(
      1,
      Math.min(SQLITE_BULK_ROWS_PER_STATEMENT, Math.floor(SQLITE_MAX_PARAMETERS / width)),
    );
    const many = this.#statement(table, columns, perStatement);
    const one = this.#statement(table, columns, 1);
    const params = new Array<string | number | null>(perStatement * width);
    /** Insert rows [from, to): full multi-row statements, then single rows. */
    const insertRange = (from: number, to: number) => {
      let at = from;
      for (; at + perStatement <= to; at += perStatement) {
        let p = 0;
        for (let r = at; r < at + perStatement; r++) {
          const row = rows[r];
          for (let c = 0; c < width; c++) params[p++] = row[c];
        }
        many.run(params);
      }
      for (; at < to; at++) one.run(rows[at] as (string | number | null)[]);
    };
    await db.connection().execute(async () => {
      if (database.inTransaction) throw new Error('bulkInsert: a transaction is already open');
      database.exec('begin immediate');
      try {
        const slice = Math.max(perStatement, SQLITE_BULK_SLICE_ROWS);
        for (let from = 0; from < rows.length; from += slice) {
          insertRange(from, Math.min(rows.length, from + slice));
          if (from + slice < rows.length) await new Promise((r) => setImmediate(r));
        }
        database.exec('commit');
      } catch (err) {
        if (database.inTransaction) database.exec('rollback');
        throw err;
      }
    });
  }

  #statement(table: string, columns: readonly BulkColumn[], rows: number): BetterSqlite3.Statement {
    const names = columns.map((c) => c.name);
    const key = `${table}\u0000${names.join(',')}\u0000${rows}`;
    let stmt = this.#statements.get(key);
    if (!stmt) {
      for (const n of [table, ...names]) {
        if (!IDENTIFIER.test(n)) throw new Error(`bulkInsert: not a plain identifier: ${n}`);
      }
      const tuple = `(${names.map(() => '?').join(',')})`;
      const values = Array.from({ length: rows }, () => tuple).join(',');
      stmt = (this.#database as BetterSqlite3.Database).prepare(
        `insert into "${table}" (${names.map((n) => `"${n}"`).join(',')}) values ${values}`,
      );
      this.#statements.set(key, stmt);
    }
    return stmt;
  }
}
