import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, describe } from 'node:test';
import pg from 'pg';
import { openStore } from '../../src/store/open-store.js';
import type { Store, StoreOptions } from '../../src/store/store.js';

/**
 * Run a suite once per dialect, each on its own empty database: SQLite in a
 * fresh temp dir, PostgreSQL in a fresh schema of db `test` (dropped after).
 * Shared with the jobs and server tests.
 *
 *   forEachDialect('keys repo', (d) => {
 *     it('…', async () => { const store = await d.open(); … });
 *   });
 *
 * `MAILVET_TEST_DIALECTS=sqlite` (or `postgres`) narrows the run;
 * `MAILVET_TEST_PG_URL` overrides the server (default postgres@127.0.0.1/test).
 */
export type DialectName = 'sqlite' | 'postgres';

export const TEST_PG_URL =
  process.env.MAILVET_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface DialectContext {
  readonly dialect: DialectName;
  /** Options that open this suite's database (no `migrate`). */
  readonly storeOptions: StoreOptions;
  /** The same database as environment a CLI reads (MAILVET_DATA_DIR / DATABASE_URL). */
  readonly env: Record<string, string>;
  /** Open a migrated store on this suite's database; closed after the suite. */
  open(extra?: Partial<StoreOptions>): Promise<Store>;
}

export function selectedDialects(): DialectName[] {
  const raw = process.env.MAILVET_TEST_DIALECTS;
  if (!raw) return ['sqlite', 'postgres'];
  return raw.split(',').map((s) => s.trim()) as DialectName[];
}

export function forEachDialect(name: string, fn: (ctx: DialectContext) => void): void {
  for (const dialect of selectedDialects()) {
    describe(`${name} [${dialect}]`, () => {
      const ctx = dialect === 'sqlite' ? sqliteContext() : postgresContext();
      fn(ctx);
    });
  }
}

function tracker() {
  const stores: Store[] = [];
  after(async () => {
    await Promise.all(stores.map((s) => s.close()));
  });
  return (s: Store) => {
    stores.push(s);
    return s;
  };
}

function sqliteContext(): DialectContext {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mailvet-store-'));
  const track = tracker();
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  const storeOptions: StoreOptions = { dataDir };
  return {
    dialect: 'sqlite',
    storeOptions,
    env: { MAILVET_DATA_DIR: dataDir },
    open: async (extra) => track(await openStore({ ...storeOptions, migrate: true, ...extra })),
  };
}

function postgresContext(): DialectContext {
  const schema = `mv_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const track = tracker();
  // Registered before the tracker's hook runs? node runs `after` hooks in
  // registration order, so stores close first, then the schema goes.
  after(async () => {
    const client = new pg.Client({ connectionString: TEST_PG_URL });
    await client.connect();
    try {
      await client.query(`drop schema if exists ${schema} cascade`);
    } finally {
      await client.end();
    }
  });
  const storeOptions: StoreOptions = { databaseUrl: TEST_PG_URL, schema };
  const url = new URL(TEST_PG_URL);
  url.searchParams.set('schema', schema);
  return {
    dialect: 'postgres',
    storeOptions,
    env: { DATABASE_URL: url.toString() },
    open: async (extra) => track(await openStore({ ...storeOptions, migrate: true, ...extra })),
  };
}
