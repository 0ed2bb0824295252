import path from 'node:path';
import type { Store, StoreOptions } from './store.js';
import { DEFAULT_DATA_DIR, SQLITE_FILE_NAME } from './store.js';
import { createStore } from './create-store.js';
import { MailvetError } from '../errors.js';

/**
 * Open the store: PostgreSQL when `databaseUrl` is set, else SQLite in
 * `dataDir`. Each dialect module is imported on demand, so a SQLite-only
 * install never loads pg (and vice versa). With `migrate: true` pending
 * migrations run first and a failure closes the store and throws.
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
