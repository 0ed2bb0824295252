import { sql } from 'kysely';
import type { StoreMigration } from './store-migration.js';

/**
 * API keys, audit log, IP blocks, daily usage. Timestamps are epoch ms in
 * bigint columns (see schema.ts). `ifNotExists` everywhere: two processes
 * starting at once on one SQLite file (where the migration lock is a no-op)
 * then both succeed at creating the schema.
 *
 * No foreign keys from audit_log/usage_daily to api_keys: they are history
 * and must outlive any key row, and audit rows also record unknown keys.
 */
export const migration001Initial: StoreMigration = {
  async up(db, adapter) {
    await db.schema
      .createTable('api_keys')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('tenant', 'text', (c) => c.notNull())
      .addColumn('lookup_id', 'text', (c) => c.notNull())
      .addColumn('secret_hash', 'text', (c) => c.notNull())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('rate_limit', 'integer')
      .addColumn('rate_window_seconds', 'integer')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint')
      .addColumn('revoked_at', 'bigint')
      .addColumn('rotated_at', 'bigint')
      .addColumn('previous_lookup_id', 'text')
      .addColumn('previous_hash', 'text')
      .addColumn('previous_expires_at', 'bigint')
      .addColumn('last_used_at', 'bigint')
      .execute();
    await db.schema
      .createIndex('api_keys_lookup_id_uq')
      .ifNotExists()
      .on('api_keys')
      .column('lookup_id')
      .unique()
      .execute();
    await db.schema
      .createIndex('api_keys_previous_lookup_id_idx')
      .ifNotExists()
      .on('api_keys')
      .column('previous_lookup_id')
      .execute();
    await db.schema
      .createIndex('api_keys_tenant_idx')
      .ifNotExists()
      .on('api_keys')
      .column('tenant')
      .execute();

    await adapter
      .addIncrementingId(db.schema.createTable('audit_log').ifNotExists(), 'id')
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('request_id', 'text')
      .addColumn('key_id', 'text')
      .addColumn('ip', 'text')
      .addColumn('method', 'text')
      .addColumn('route', 'text')
      .addColumn('status', 'integer')
      .addColumn('latency_ms', 'integer')
      .addColumn('action', 'text')
      .addColumn('object', 'text')
      .addColumn('detail', 'text')
      .execute();
    // Pages are newest-first by id, so each filter index ends with id.
    for (const [name, column] of [
      ['audit_log_key_idx', 'key_id'],
      ['audit_log_route_idx', 'route'],
      ['audit_log_status_idx', 'status'],
    ] as const) {
      await db.schema
        .createIndex(name)
        .ifNotExists()
        .on('audit_log')
        .columns([column, 'id'])
        .execute();
    }
    await db.schema
      .createIndex('audit_log_at_idx')
      .ifNotExists()
      .on('audit_log')
      .column('at')
      .execute();

    await db.schema
      .createTable('ip_blocks')
      .ifNotExists()
      .addColumn('cidr', 'text', (c) => c.primaryKey())
      .addColumn('reason', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint')
      .addColumn('source', 'text', (c) =>
        c.notNull().check(sql`source in ('static', 'admin', 'auto')`),
      )
      .execute();

    await db.schema
      .createTable('usage_daily')
      .ifNotExists()
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('count', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('usage_daily_pk', ['key_id', 'day', 'status'])
      .execute();
  },

  async down(db) {
    for (const table of ['usage_daily', 'ip_blocks', 'audit_log', 'api_keys']) {
      await db.schema.dropTable(table).ifExists().execute();
    }
  },
};
