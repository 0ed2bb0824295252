/** The store layer's public surface. */
export type { Store, StoreOptions } from './store.js';
export { SQLITE_FILE_NAME, DEFAULT_DATA_DIR } from './store.js';
export { openStore } from './open-store.js';
export type { StoreAdapter } from './store-adapter.js';
export type * from './schema.js';
export type { KeysRepo, StoredApiKey, NewStoredApiKey, KeyRotation } from './keys-repo.js';
export type { AuditRepo, AuditEntry, NewAuditEntry, AuditQuery, AuditPage } from './audit-repo.js';
export { DEFAULT_AUDIT_PAGE, MAX_AUDIT_PAGE } from './audit-repo.js';
export type { IpBlockRepo, IpBlock, IpBlockSource } from './ip-block-repo.js';
export type { UsageRepo, UsageCount, UsageListOptions } from './usage-repo.js';
export { usageDay } from './usage-repo.js';
export type { StoreMigration } from './migrations/store-migration.js';
export type {
  MigrationReport,
  MigrationOutcome,
  MigrationState,
} from './migrations/migration-report.js';
export { MIGRATIONS } from './migrations/index.js';
