import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from '../schema.js';
import { PostgresStoreAdapter } from './postgres-adapter.js';
import { ConfigError } from '../../errors.js';

export const DEFAULT_PG_POOL_SIZE = 10;
/** Fail fast when the server is unreachable instead of hanging a request. */
export const PG_CONNECT_TIMEOUT_MS = 10_000;
const INT8_OID = 20;
/** Unquoted identifiers only, so the name needs no escaping anywhere. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface PostgresOpenOptions {
  url: string;
  /** Overrides `?schema=` in the URL. */
  schema?: string;
  poolSize?: number;
}

/** Split `?schema=` out of a connection URL (pg itself would not understand it). */
export function parsePostgresUrl(url: string, schemaOverride?: string) {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('DATABASE_URL is not a valid URL (expected postgres://user@host/db)');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ConfigError(`DATABASE_URL must use postgres:// (got ${parsed.protocol}//)`);
  }
  const fromUrl = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  const schema = schemaOverride ?? fromUrl;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new ConfigError(
      `invalid PostgreSQL schema ${JSON.stringify(schema)}: use lowercase letters, digits and _`,
    );
  }
  return { connectionString: parsed.toString(), schema };
}

export function openPostgres(options: PostgresOpenOptions): {
  db: Kysely<Database>;
  adapter: PostgresStoreAdapter;
  schema: string | undefined;
} {
  const { connectionString, schema } = parsePostgresUrl(options.url, options.schema);
  const poolSize = options.poolSize ?? DEFAULT_PG_POOL_SIZE;
  if (!Number.isSafeInteger(poolSize) || poolSize < 1) {
    throw new ConfigError('PostgreSQL pool size must be an integer >= 1');
  }
  const pool = new pg.Pool({
    connectionString,
    max: poolSize,
    connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
    // search_path in the startup packet applies to every pooled connection
    // from its first query on — no race with a per-connection SET.
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
    // int8 (bigint timestamps, counts, identity ids) as JS numbers, per pool
    // rather than through pg's global type registry. Epoch ms and counters
    // stay far below 2^53; a larger value is returned as text, never rounded.
    types: {
      getTypeParser: ((oid: number, format?: string) => {
        if (oid === INT8_OID) {
          return (value: string) => {
            const n = Number(value);
            return Number.isSafeInteger(n) ? n : value;
          };
        }
        return pg.types.getTypeParser(oid, format as 'text');
      }) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its connection (server restart) emits 'error' on
  // the pool; unhandled, it would crash the process. The next query reconnects.
  pool.on('error', () => {});
  // A checked-out client (mid-query or mid-transaction) that loses its
  // connection emits 'error' on itself, not on the pool; pg only listens while
  // the client is idle. The query in flight rejects on its own and the caller
  // retries, so the event carries nothing we need — but unhandled it kills the
  // process (seen when PostgreSQL restarts under a running worker).
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, adapter: new PostgresStoreAdapter(pool), schema };
}
