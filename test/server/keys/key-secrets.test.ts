/**
 * API key secrets at rest and revocation across machines, on SQLite and
 * PostgreSQL: only hashes are stored, hostile text stays data (no SQL
 * injection), and revocation never waits for a clock.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { forEachDialect } from '../../store/dialects.js';
import { createKeyService } from '../../../src/server/keys/key-service.js';
import { KEY_PREFIX, LOOKUP_ID_LENGTH } from '../../../src/server/keys/api-key-format.js';

const T0 = Date.parse('2030-01-01T00:00:00Z');

/** The part of a key the database must never see: everything after the lookup id. */
function secretTail(key: string): string {
  return key.slice(KEY_PREFIX.length + LOOKUP_ID_LENGTH);
}

forEachDialect('API key secrets', (d) => {
  it('stores only hashes: no row and no database file byte holds a secret', async () => {
    const store = await d.open(); // the suite's database, whose SQLite files are at a known path
    const keys = createKeyService(store, { now: () => T0 });
    const created = await keys.create({ name: 'ci', scopes: ['verify'] });
    const rotated = await keys.rotate(created.id, { graceSeconds: 3600 });
    assert.ok(rotated);
    const rows = JSON.stringify(await store.db.selectFrom('api_keys').selectAll().execute());
    for (const key of [created.key, rotated.key]) {
      assert.ok(!rows.includes(secretTail(key)), 'a secret reached the api_keys table');
    }
    assert.ok((await keys.authenticate(created.key)).ok, 'the grace secret still works');
    if (d.dialect === 'sqlite') {
      const dir = d.storeOptions.dataDir!;
      const files = readdirSync(dir).filter((f) => f.startsWith('mailvet.sqlite'));
      assert.ok(files.length > 0, `no SQLite files in ${dir}`);
      for (const f of files) {
        const bytes = readFileSync(path.join(dir, f)).toString('latin1');
        for (const key of [created.key, rotated.key]) {
          assert.ok(!bytes.includes(secretTail(key)), `a secret is in ${f}`);
        }
      }
    }
  });

  it('a revocation stamped by a machine whose clock runs ahead stops the key at once', async () => {
    const store = await d.open();
    const ahead = createKeyService(store, { now: () => T0 + 30_000 });
    const here = createKeyService(store, { now: () => T0 });
    const created = await here.create({ name: 'skew', scopes: ['verify'] });
    assert.ok((await here.authenticate(created.key)).ok);
    await ahead.revoke(created.id);
    assert.deepEqual(await here.authenticate(created.key), { ok: false, reason: 'revoked' });
  });

  it('hostile names, tenants and ids stay data (parameters, never SQL text)', async () => {
    const store = await d.fresh();
    const keys = createKeyService(store, { now: () => T0 });
    const hostile = `x'); DROP TABLE api_keys; --`;
    const created = await keys.create({ name: hostile, tenant: `" OR 1=1 --`, scopes: ['jobs'] });
    assert.equal(created.record.name, hostile);
    assert.equal(created.record.tenant, `" OR 1=1 --`);
    for (const id of [`' OR '1'='1`, `${created.id}' --`, `%`, `key_%`]) {
      assert.equal(await keys.get(id), undefined, id);
      assert.equal(await keys.revoke(id), undefined, id);
    }
    const page = await store.audit.query({ keyId: `' OR '1'='1` });
    assert.deepEqual(page.entries, []);
    assert.equal((await keys.list()).length, 1);
    assert.ok((await keys.authenticate(created.key)).ok);
  });
});
