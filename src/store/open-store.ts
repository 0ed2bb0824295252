import path from 'node:path';
import type { Store, StoreOptions } from './store.js';
import { DEFAULT_DATA_DIR, SQLITE_FILE_NAME } from './store.js';
import { createStore } from './create-store.js';
import { MailvetError, StoreUnavailableError } from '../errors.js';

/**
 * Open the store: PostgreSQL when `databaseUrl` is set, else SQLite in
 * `dataDir`. Each dialect module is imported on demand, so a SQLite-only
 * install never loads pg (and vice versa). The database must answer a ping
 * (else StoreUnavailableError). With `migrate: true` pending migrations run
 * first and a failure closes the store and throws.
 */
export async function openStore(options: StoreOptions = {}): Promise<Store> {
  let store: Store;
  if (options.databaseUrl) {
    const { openPostgres } = await import('./postgres/postgres-open.js');
    const { db, adapter, schema } = openPostgres({
      url: options.databaseUrl,
      schema: options.schema,
      poolSize: options.poolSize,
    });
    store = createStore(db, adapter, schema);
  } else {
    const { openSqlite } = await import('./sqlite/sqlite-open.js');
    const file = path.resolve(options.dataDir ?? DEFAULT_DATA_DIR, SQLITE_FILE_NAME);
    const { db, adapter } = openSqlite({ file, busyTimeoutMs: options.busyTimeoutMs });
    store = createStore(db, adapter);
  }
  // First contact: an unreachable server fails here, saying where and what to
  // check, rather than later as a failed migration or query with a stack trace.
  await store.ping().catch(async (cause: unknown) => {
    await store.close().catch(() => undefined);
    throw unavailable(options, cause);
  });
  if (options.migrate) {
    const report = await store.migrateToLatest().catch(async (error: unknown) => {
      await store.close();
      throw error;
    });
    if (report.error !== undefined) {
      await store.close();
      const failed = report.results.find((r) => r.status === 'Error')?.name ?? 'migration lock';
      throw new MailvetError(
        'MV_ERR_MIGRATION',
        `migration ${failed} failed: ${String(report.error)}`,
        500,
        {
          cause: report.error,
        },
      );
    }
  }
  return store;
}

/** `MV_ERR_STORE_UNAVAILABLE` naming the database (host:port/name, never the password) and what to check. */
function unavailable(options: StoreOptions, cause: unknown): StoreUnavailableError {
  const c = cause as { message?: unknown; code?: unknown } | null;
  // Node reports a refused dual-stack connect as an AggregateError with an empty message.
  const reason = String((c?.message || c?.code) ?? cause).split('\n')[0];
  if (!options.databaseUrl) {
    return new StoreUnavailableError(`SQLite database does not answer: ${reason}`, { cause });
  }
  // Built from the URL's parts, not the URL: the password stays out. The reason
  // is pg's or Node's text (refused, not found, role/database missing), which
  // never quotes it either.
  const url = new URL(options.databaseUrl);
  const target = `${url.hostname || 'localhost'}:${url.port || '5432'}${url.pathname}`;
  return new StoreUnavailableError(
    `cannot connect to PostgreSQL at ${target}: ${reason} (is the server up, and are DATABASE_URL / --database-url right?)`,
    { cause },
  );
}
