import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, describe } from 'node:test';
import pg from 'pg';
import { openStore } from '../../src/store/open-store.js';
import type { Store, StoreOptions } from '../../src/store/store.js';

/**
 * Run a suite once per dialect on an empty database: SQLite in a fresh temp
 * dir, PostgreSQL in a fresh schema of db `test`. Everything is closed and
 * dropped after the suite. Shared with the jobs and server tests:
 *
 *   forEachDialect('keys repo', (d) => {
 *     it('…', async () => { const store = await d.open(); … });
 *     it('needs an empty db', async () => { const store = await d.fresh(); … });
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
  /** Options that open the suite's database (no `migrate`). */
  readonly storeOptions: StoreOptions;
  /** The suite's database as the environment a CLI reads (MAILVET_DATA_DIR or DATABASE_URL). */
  readonly env: Record<string, string>;
  /** Open a migrated store on the suite's database; closed after the suite. */
  open(extra?: Partial<StoreOptions>): Promise<Store>;
  /** Open a migrated store on a new, empty database of its own; dropped after the suite. */
  fresh(extra?: Partial<StoreOptions>): Promise<Store>;
}

export function selectedDialects(): DialectName[] {
  const raw = process.env.MAILVET_TEST_DIALECTS;
  if (!raw) return ['sqlite', 'postgres'];
  return raw.split(',').map((s) => s.trim()) as DialectName[];
}

export function forEachDialect(name: string, fn: (ctx: DialectContext) => void): void {
  for (const dialect of selectedDialects()) {
    describe(`${name} [${dialect}]`, () => {
      fn(createDialectContext(dialect));
    });
  }
}

/** One database location (temp dir or schema) with its CLI environment. */
interface Target {
  storeOptions: StoreOptions;
  env: Record<string, string>;
}

/** Must be called inside a describe(): registers the cleanup hook there. */
export function createDialectContext(dialect: DialectName): DialectContext {
  const stores: Store[] = [];
  const dirs: string[] = [];
  const schemas: string[] = [];

  const newTarget = (): Target => {
    if (dialect === 'sqlite') {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'mailvet-store-'));
      dirs.push(dataDir);
      return { storeOptions: { dataDir }, env: { MAILVET_DATA_DIR: dataDir } };
    }
    const schema = `mv_test_${process.pid}_${randomBytes(4).toString('hex')}`;
    schemas.push(schema);
    const url = new URL(TEST_PG_URL);
    url.searchParams.set('schema', schema);
    return {
      storeOptions: { databaseUrl: TEST_PG_URL, schema },
      env: { DATABASE_URL: url.toString() },
    };
  };

  after(async () => {
    await Promise.all(stores.map((s) => s.close()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    if (schemas.length > 0) {
      const client = new pg.Client({ connectionString: TEST_PG_URL });
      await client.connect();
      try {
        for (const schema of schemas) await client.query(`drop schema if exists ${schema} cascade`);
      } finally {
        await client.end();
      }
    }
  });

  const openOn = async (target: Target, extra?: Partial<StoreOptions>) => {
    const store = await openStore({ ...target.storeOptions, migrate: true, ...extra });
    stores.push(store);
    return store;
  };

  const main = newTarget();
  return {
    dialect,
    storeOptions: main.storeOptions,
    env: main.env,
    open: (extra) => openOn(main, extra),
    fresh: (extra) => openOn(newTarget(), extra),
  };
}
