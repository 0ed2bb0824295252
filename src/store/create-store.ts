import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { StoreAdapter } from './store-adapter.js';
import type { Store } from './store.js';
import { createKeysRepo } from './keys-repo.js';
import { createAuditRepo } from './audit-repo.js';
import { createIpBlockRepo } from './ip-block-repo.js';
import { createUsageRepo } from './usage-repo.js';
import {
  createStoreMigrator,
  readMigrationStates,
  runMigrations,
} from './migrations/store-migrator.js';
import { ClosedError } from '../errors.js';

/** Assemble a Store from an open kysely instance; dialect-neutral. */
export function createStore(db: Kysely<Database>, adapter: StoreAdapter, schema?: string): Store {
  const migrator = createStoreMigrator({ db, adapter, schema });
  let closing: Promise<void> | undefined;
  const checkOpen = () => {
    if (closing) throw new ClosedError('store');
  };
  return {
    db,
    adapter,
    keys: createKeysRepo(db),
    audit: createAuditRepo(db, adapter),
    ipBlocks: createIpBlockRepo(db),
    usage: createUsageRepo(db),
    async ping() {
      checkOpen();
      await sql`select 1`.execute(db);
    },
    async migrateToLatest() {
      checkOpen();
      return runMigrations(migrator);
    },
    async migrationStatus() {
      checkOpen();
      return readMigrationStates(migrator);
    },
    close() {
      closing ??= db.destroy();
      return closing;
    },
  };
}
