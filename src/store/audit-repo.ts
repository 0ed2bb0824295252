import type { Kysely, Selectable } from 'kysely';
import type { AuditLogTable, Database, EpochMs } from './schema.js';
import type { StoreAdapter } from './store-adapter.js';
import type { BulkColumn, BulkRow } from './bulk-insert.js';
import { InvalidArgumentError } from '../errors.js';

/** One audit record. Never holds a key or a raw address (callers mask them). */
export interface AuditEntry {
  id: number;
  at: EpochMs;
  requestId: string | null;
  keyId: string | null;
  ip: string | null;
  method: string | null;
  route: string | null;
  status: number | null;
  latencyMs: number | null;
  action: string | null;
  object: string | null;
  detail: Record<string, unknown> | null;
}

export type NewAuditEntry = Partial<Omit<AuditEntry, 'id' | 'at'>> & { at: EpochMs };

/** Filters combine with AND; `from` is inclusive, `to` exclusive. */
export interface AuditQuery {
  keyId?: string;
  route?: string;
  status?: number;
  from?: EpochMs;
  to?: EpochMs;
  /** Page size, 1..MAX_AUDIT_PAGE (default DEFAULT_AUDIT_PAGE). */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** Pass back as `cursor` for the next (older) page; null at the end. */
  nextCursor: string | null;
}

export const DEFAULT_AUDIT_PAGE = 100;
export const MAX_AUDIT_PAGE = 1000;
const DAY_MS = 86_400_000;

/** Audit log persistence: append, page newest-first, prune by age. */
export interface AuditRepo {
  insert(entry: NewAuditEntry): Promise<void>;
  insertMany(entries: readonly NewAuditEntry[]): Promise<void>;
  query(query?: AuditQuery): Promise<AuditPage>;
  /** Delete entries older than `days` days before `now`; returns how many. */
  prune(days: number, now: EpochMs): Promise<number>;
}

/** audit_log columns a bulk insert writes (the id is generated), in toBulkRow order. */
const AUDIT_COLUMNS: readonly BulkColumn[] = [
  { name: 'at', type: 'bigint' },
  { name: 'request_id', type: 'text' },
  { name: 'key_id', type: 'text' },
  { name: 'ip', type: 'text' },
  { name: 'method', type: 'text' },
  { name: 'route', type: 'text' },
  { name: 'status', type: 'integer' },
  { name: 'latency_ms', type: 'integer' },
  { name: 'action', type: 'text' },
  { name: 'object', type: 'text' },
  { name: 'detail', type: 'text' },
];

/**
 * Batches (one per flush of the server's request buffer) go through the
 * adapter's bulkInsert — a cached prepared statement on SQLite, COPY on
 * PostgreSQL — instead of a kysely INSERT compiled per batch, which cost the
 * HTTP service measurable CPU per request.
 */
export function createAuditRepo(
  db: Kysely<Database>,
  adapter: Pick<StoreAdapter, 'bulkInsert'>,
): AuditRepo {
  return {
    async insert(entry) {
      await db.insertInto('audit_log').values(toRow(entry)).execute();
    },

    async insertMany(entries) {
      await adapter.bulkInsert(db, 'audit_log', AUDIT_COLUMNS, entries.map(toBulkRow));
    },

    async query(q = {}) {
      const limit = q.limit ?? DEFAULT_AUDIT_PAGE;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_PAGE) {
        throw new InvalidArgumentError(`audit limit must be an integer 1..${MAX_AUDIT_PAGE}`);
      }
      // Ids only grow, so "older than the cursor" is `id < cursor`: a stable
      // keyset page even while new entries arrive.
      let query = db.selectFrom('audit_log').selectAll();
      if (q.cursor !== undefined) query = query.where('id', '<', parseCursor(q.cursor));
      if (q.keyId !== undefined) query = query.where('key_id', '=', q.keyId);
      if (q.route !== undefined) query = query.where('route', '=', q.route);
      if (q.status !== undefined) query = query.where('status', '=', q.status);
      if (q.from !== undefined) query = query.where('at', '>=', q.from);
      if (q.to !== undefined) query = query.where('at', '<', q.to);
      const rows = await query
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      const more = rows.length > limit;
      const entries = rows.slice(0, limit).map(fromRow);
      const last = entries.at(-1);
      return { entries, nextCursor: more && last ? String(last.id) : null };
    },

    async prune(days, now) {
      if (!Number.isFinite(days) || days < 0) {
        throw new InvalidArgumentError('audit retention days must be a number >= 0');
      }
      const result = await db
        .deleteFrom('audit_log')
        .where('at', '<', now - days * DAY_MS)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

function parseCursor(cursor: string): number {
  if (!/^[0-9]{1,15}$/.test(cursor)) throw new InvalidArgumentError('invalid audit cursor');
  return Number(cursor);
}

function toRow(e: NewAuditEntry) {
  return {
    at: e.at,
    request_id: e.requestId ?? null,
    key_id: e.keyId ?? null,
    ip: e.ip ?? null,
    method: e.method ?? null,
    route: e.route ?? null,
    status: e.status ?? null,
    latency_ms: e.latencyMs ?? null,
    action: e.action ?? null,
    object: e.object ?? null,
    detail: e.detail == null ? null : JSON.stringify(e.detail),
  };
}

/** toRow's values in AUDIT_COLUMNS order. */
function toBulkRow(e: NewAuditEntry): BulkRow {
  const r = toRow(e);
  return [
    r.at,
    r.request_id,
    r.key_id,
    r.ip,
    r.method,
    r.route,
    r.status,
    r.latency_ms,
    r.action,
    r.object,
    r.detail,
  ];
}

function fromRow(row: Selectable<AuditLogTable>): AuditEntry {
  return {
    id: Number(row.id),
    at: row.at,
    requestId: row.request_id,
    keyId: row.key_id,
    ip: row.ip,
    method: row.method,
    route: row.route,
    status: row.status,
    latencyMs: row.latency_ms,
    action: row.action,
    object: row.object,
    detail: row.detail == null ? null : (JSON.parse(row.detail) as Record<string, unknown>),
  };
}
