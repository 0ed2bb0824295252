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
    makeDirectory(path.dirname(options.file));
    database = new BetterSqlite3(options.file, { timeout: busyTimeoutMs });
  } catch (cause) {
    throw new ConfigError(
      `cannot open SQLite database ${options.file}: ${(cause as Error).message} ` +
        '(MAILVET_DATA_DIR / --data-dir must be a directory mailvet can create and write)',
      { cause },
    );
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

/**
 * `mkdir -p` that gives up: Node's `{ recursive: true }` spins forever (100 %
 * CPU) when a directory exists but refuses a child with ENOENT, as /proc does.
 * Here a child still missing after its parent was made is an error.
 */
function makeDirectory(dir: string, retry = true): void {
  try {
    mkdirSync(dir);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    const parent = path.dirname(dir);
    if (code !== 'ENOENT' || !retry || parent === dir) throw err;
    makeDirectory(parent);
  }
  makeDirectory(dir, false);
}
