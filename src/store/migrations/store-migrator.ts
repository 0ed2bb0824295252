import { Migrator } from 'kysely';
import type { Kysely, MigrationProvider } from 'kysely';
import type { StoreAdapter } from '../store-adapter.js';
import type { StoreMigration } from './store-migration.js';
import type { MigrationReport, MigrationState } from './migration-report.js';
import { MIGRATIONS } from './index.js';

/** mailvet's own names, so its tables never clash with another kysely user's. */
export const MIGRATION_TABLE = 'mailvet_migration';
export const MIGRATION_LOCK_TABLE = 'mailvet_migration_lock';

export interface StoreMigratorOptions {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>;
  adapter: StoreAdapter;
  /** PostgreSQL schema holding the tables; kysely creates it when missing. */
  schema?: string;
  /** Defaults to MIGRATIONS; tests pass their own list. */
  migrations?: Readonly<Record<string, StoreMigration>>;
}

/** kysely's Migrator over the code-defined list, adapter passed to each step. */
export function createStoreMigrator(options: StoreMigratorOptions): Migrator {
  const migrations = options.migrations ?? MIGRATIONS;
  const provider: MigrationProvider = {
    async getMigrations() {
      return Object.fromEntries(
        Object.entries(migrations).map(([name, m]) => [
          name,
          {
            up: (db: Kysely<unknown>) => m.up(db, options.adapter),
            ...(m.down ? { down: (db: Kysely<unknown>) => m.down!(db, options.adapter) } : {}),
          },
        ]),
      );
    },
  };
  return new Migrator({
    db: options.db,
    provider,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    ...(options.schema ? { migrationTableSchema: options.schema } : {}),
  });
}

export async function runMigrations(migrator: Migrator): Promise<MigrationReport> {
  const { error, results } = await migrator.migrateToLatest();
  return {
    ...(error !== undefined ? { error } : {}),
    results: (results ?? []).map((r) => ({ name: r.migrationName, status: r.status })),
  };
}

export async function readMigrationStates(migrator: Migrator): Promise<MigrationState[]> {
  const infos = await migrator.getMigrations();
  return infos.map((m) => ({ name: m.name, executedAt: m.executedAt }));
}
