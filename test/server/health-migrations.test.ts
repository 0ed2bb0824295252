import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { forEachDialect } from '../store/dialects.js';
import { createTestVerifier, startHarness } from './fixtures/server-harness.js';
import { defaultConfig } from '../../src/config.js';
import { buildApp } from '../../src/server/app.js';
import { createKeyService } from '../../src/server/keys/key-service.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { createStoreMigrator } from '../../src/store/migrations/store-migrator.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import type { Store } from '../../src/store/store.js';

/*
 * Readiness when the database is behind the code: /health/ready must answer
 * 503 naming the pending migrations, and an app cannot be built on a
 * database that was never migrated (its tables are missing) without being
 * told so.
 */

const LAST = Object.keys(MIGRATIONS).at(-1)!;

type Check = { name: string; ok: boolean; error?: string };

/** Roll back the last applied migration through kysely's migrator, as `migrate down` would. */
async function rollBackLast(store: Store): Promise<string[]> {
  const schema =
    store.adapter.dialectName === 'postgres'
      ? (await sql<{ s: string }>`select current_schema() as s`.execute(store.db)).rows[0].s
      : undefined;
  const migrator = createStoreMigrator({ db: store.db, adapter: store.adapter, schema });
  const { error, results } = await migrator.migrateDown();
  assert.equal(error, undefined);
  return (results ?? []).map((r) => r.migrationName);
}

forEachDialect('readiness and pending migrations', (ctx) => {
  it('/health/ready is 503 naming the migration rolled back, and 200 once it is applied again', async () => {
    const store = await ctx.fresh();
    const h = await startHarness(ctx, { store });
    try {
      const ready = () => h.request({ method: 'GET', url: '/health/ready' });
      assert.equal((await ready()).statusCode, 200);

      assert.deepEqual(await rollBackLast(store), [LAST]);
      const res = await ready();
      assert.equal(res.statusCode, 503);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(res.headers['retry-after'], '5');
      const body = res.json();
      assert.equal(body.type, 'urn:mailvet:problem:service-unavailable');
      assert.equal(body.detail, 'not ready: migrations');
      const checks = body.checks as Check[];
      assert.deepEqual(
        checks.find((c) => c.name === 'migrations'),
        { name: 'migrations', ok: false, error: `1 migration(s) pending: ${LAST}` },
      );
      assert.deepEqual(
        checks.find((c) => c.name === 'database'),
        { name: 'database', ok: true },
        'the database itself answers',
      );
      // Liveness is not readiness: the process still answers.
      assert.equal((await h.request({ method: 'GET', url: '/health/live' })).statusCode, 200);

      const report = await store.migrateToLatest();
      assert.equal(report.error, undefined);
      assert.equal((await ready()).statusCode, 200);
    } finally {
      await h.close();
    }
  });

  it('an app on a database never migrated refuses to start, naming the pending migrations', async () => {
    const store = await ctx.fresh({ migrate: false });
    const config = defaultConfig({ 'smtp.enabled': false, logLevel: 'silent' });
    const verifier = createTestVerifier(config);
    const metrics = createMetrics({ processMetrics: false });
    try {
      await assert.rejects(
        buildApp({
          config,
          verifier,
          store,
          keyService: createKeyService(store),
          logger: createLogger({ level: 'silent' }),
          metrics,
        }),
        (err: Error & { code?: string }) => {
          assert.equal(err.code, 'MV_ERR_MIGRATION');
          const names = Object.keys(MIGRATIONS);
          assert.ok(
            err.message.includes(`${names.length} pending: ${names.join(', ')}`),
            err.message,
          );
          assert.match(err.message, /mailvet migrate/);
          return true;
        },
      );
    } finally {
      metrics.close();
      await verifier.close();
    }
  });
});
