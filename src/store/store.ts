import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { StoreAdapter } from './store-adapter.js';
import type { KeysRepo } from './keys-repo.js';
import type { AuditRepo } from './audit-repo.js';
import type { IpBlockRepo } from './ip-block-repo.js';
import type { UsageRepo } from './usage-repo.js';
import type { MigrationReport, MigrationState } from './migrations/migration-report.js';

/** File name of the SQLite database inside `dataDir`. */
export const SQLITE_FILE_NAME = 'mailvet.sqlite';
/** Used when neither `dataDir` nor `databaseUrl` is given. */
export const DEFAULT_DATA_DIR = './data';

/**
 * How to open the store. A plain object (not the whole config) so callers —
 * CLI, server, tests — need nothing else. PostgreSQL when `databaseUrl` is
 * set, else SQLite at `<dataDir>/mailvet.sqlite`.
 */
export interface StoreOptions {
  /** Directory of the SQLite file (created if missing). Default `./data`. */
  dataDir?: string;
  /** `postgres://…`; `?schema=name` selects a non-public schema. */
  databaseUrl?: string | null;
  /** PostgreSQL schema (overrides `?schema=`); created by migrations if missing. */
  schema?: string;
  /** PostgreSQL pool size. Default 10. */
  poolSize?: number;
  /** How long SQLite waits for a lock before failing (ms). Default 5000. */
  busyTimeoutMs?: number;
  /** Run migrations to the latest version before returning; throws if they fail. */
  migrate?: boolean;
}

/**
 * The system of record. One per process; repositories are the supported way
 * in, `db` is there for layers with their own tables (jobs).
 */
export interface Store {
  readonly db: Kysely<Database>;
  readonly adapter: StoreAdapter;
  readonly keys: KeysRepo;
  readonly audit: AuditRepo;
  readonly ipBlocks: IpBlockRepo;
  readonly usage: UsageRepo;
  /** Resolves when the database answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  /** Apply pending migrations. Never throws for a failed migration: see `report.error`. */
  migrateToLatest(): Promise<MigrationReport>;
  /** Every known migration and whether/when it ran. */
  migrationStatus(): Promise<MigrationState[]>;
  /** Close connections; idempotent. */
  close(): Promise<void>;
}
