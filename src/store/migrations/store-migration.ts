import type { Kysely } from 'kysely';
import type { StoreAdapter } from '../store-adapter.js';

/**
 * One schema version. Like a kysely Migration, but also given the adapter so
 * the few dialect differences in DDL (identity columns) come from capability
 * helpers, not from `if (postgres)`. Migrations take `Kysely<any>` on purpose:
 * they must not depend on today's `Database` type, which describes the latest
 * schema, not the one the migration starts from.
 */
export interface StoreMigration {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  up(db: Kysely<any>, adapter: StoreAdapter): Promise<void>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  down?(db: Kysely<any>, adapter: StoreAdapter): Promise<void>;
}
