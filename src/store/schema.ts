import type { ColumnType, Generated } from 'kysely';

/**
 * Table types for kysely, one interface per table, column names as in SQL.
 *
 * Timestamps are epoch milliseconds (UTC) in `bigint` columns on both
 * dialects: they compare and subtract the same way in SQLite and PostgreSQL,
 * and the PostgreSQL driver is configured to return int8 as a JS number
 * (safe: ms timestamps stay far below 2^53). Days (`usage_daily.day`) are
 * `YYYY-MM-DD` strings in UTC.
 *
 * Later migrations add tables by augmenting `Database` from their own file
 * (declaration merging), so this file need not change:
 *
 * ```ts
 * declare module '../store/schema.js' {
 *   interface Database { jobs: JobsTable }
 * }
 * ```
 */
export interface Database {
  api_keys: ApiKeysTable;
  audit_log: AuditLogTable;
  ip_blocks: IpBlocksTable;
  usage_daily: UsageDailyTable;
}

/** Epoch milliseconds, UTC. */
export type EpochMs = number;

export interface ApiKeysTable {
  /** Stable public id (`key_…`); never secret. */
  id: string;
  name: string;
  /** Tenant that owns jobs created with this key; defaults to the key id. */
  tenant: string;
  /** Indexed lookup id taken from the current secret (see api-key-format.ts). */
  lookup_id: string;
  /** SHA-256 of the current secret, hex. */
  secret_hash: string;
  /** Comma-separated scopes, e.g. `verify,jobs`. */
  scopes: string;
  /** Rate policy: `rate_limit` requests per `rate_window_seconds`; null = server default. */
  rate_limit: number | null;
  rate_window_seconds: number | null;
  created_at: EpochMs;
  expires_at: EpochMs | null;
  revoked_at: EpochMs | null;
  rotated_at: EpochMs | null;
  /** The secret replaced by the last rotation stays valid until previous_expires_at. */
  previous_lookup_id: string | null;
  previous_hash: string | null;
  previous_expires_at: EpochMs | null;
  last_used_at: EpochMs | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: EpochMs;
  request_id: string | null;
  key_id: string | null;
  ip: string | null;
  method: string | null;
  route: string | null;
  status: number | null;
  latency_ms: number | null;
  action: string | null;
  object: string | null;
  /** JSON text; never the key, never a raw address. */
  detail: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface IpBlocksTable {
  /** An IP or CIDR (`203.0.113.0/24`, `2001:db8::/32`); primary key. */
  cidr: string;
  reason: string | null;
  created_at: EpochMs;
  expires_at: EpochMs | null;
  source: 'static' | 'admin' | 'auto';
}

export interface UsageDailyTable {
  key_id: string;
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  /** The caller's bucket: a verification status or an HTTP status class. */
  status: string;
  count: number;
}
