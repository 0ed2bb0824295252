import type { StoreMigration } from './store-migration.js';
import { migration001Initial } from './001-initial.js';
import { migration002Jobs } from './002-jobs.js';
import { migration003JobItemsImport } from './003-job-items-import.js';
import { migration004CancelledItemsSkipped } from './004-cancelled-items-skipped.js';

/**
 * Every migration, by name, in the order they apply (kysely sorts names, so
 * the NNN- prefix is the order). A code-defined list instead of a folder scan
 * so bundles (tsup) and single-file builds carry their migrations.
 *
 * To add one: create `NNN-what.ts` exporting a StoreMigration, add one line
 * here. Never edit or rename a migration that has shipped.
 */
export const MIGRATIONS: Readonly<Record<string, StoreMigration>> = Object.freeze({
  '001-initial': migration001Initial,
  '002-jobs': migration002Jobs,
  '003-job-items-import': migration003JobItemsImport,
  '004-cancelled-items-skipped': migration004CancelledItemsSkipped,
});
