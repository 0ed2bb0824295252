import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from '../schema.js';
import { SqliteStoreAdapter } from './sqlite-adapter.js';
import { ConfigError } from '../../errors.js';

/** Default wait for a lock held by another process before SQLITE_BUSY. */
export const DEFAULT_SQLITE_BUSY_TIMEOUT_MS = 5000;

export interface SqliteOpenOptions {
  /** Full path of the database file; its directory is created if missing. */
  file: string;
  busyTimeoutMs?: number;
}

/** Open (creating if needed) the SQLite file with mailvet's pragmas. */
export function openSqlite(options: SqliteOpenOptions): {
  db: Kysely<Database>;
  adapter: SqliteStoreAdapter;
} {
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_SQLITE_BUSY_TIMEOUT_MS;
  if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new ConfigError('SQLite busy timeout must be an integer >= 0 (ms)');
  }
  let database: BetterSqlite3.Database;
  try {
    mkdirSync(path.dirname(options.file), { recursive: true });
    database = new BetterSqlite3(options.file, { timeout: busyTimeoutMs });
  } catch (cause) {
    throw new ConfigError(`cannot open SQLite database ${options.file}: ${String(cause)}`, {
      cause,
    });
  }
  // WAL: readers (API) never wait for the writer (workers). busy_timeout:
  // several processes on one file wait for each other instead of failing.
  // synchronous=NORMAL is durable across process crashes in WAL mode; only an
  // OS crash can lose the last transactions. foreign_keys is off by default
  // in SQLite and must be enabled per connection.
  database.pragma('journal_mode = WAL');
  database.pragma(`busy_timeout = ${busyTimeoutMs}`);
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return { db, adapter: new SqliteStoreAdapter(database) };
}
