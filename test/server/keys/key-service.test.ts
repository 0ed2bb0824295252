import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDialect } from '../../store/dialects.js';
import { createKeyService, hasScope } from '../../../src/server/keys/key-service.js';
import type { KeyService } from '../../../src/server/keys/key-service.js';
import { generateApiKey } from '../../../src/server/keys/api-key-format.js';
import { crc32 } from '../../../src/server/keys/crc32.js';

const T0 = Date.parse('2030-01-01T00:00:00Z');

/** A settable clock so expiry and grace are stepped through, never slept. */
function clock() {
  let t = T0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

forEachDialect('key service', (d) => {
  async function setup(): Promise<{ keys: KeyService; advance: (ms: number) => number }> {
    const store = await d.open();
    const c = clock();
    return { keys: createKeyService(store, { now: c.now }), advance: c.advance };
  }

  it('creates a key shown once and authenticates it with its scopes', async () => {
    const { keys } = await setup();
    const created = await keys.create({
      name: ' ci ',
      scopes: ['verify', 'jobs'],
      rate: '600/min',
    });
    assert.match(created.key, /^mv_live_/);
    assert.match(created.id, /^key_[0-9A-Za-z]{16}$/);
    assert.equal(created.record.name, 'ci');
    assert.equal(created.record.tenant, created.id);
    assert.deepEqual(created.record.rate, { limit: 600, windowSeconds: 60 });
    assert.equal(created.record.createdAt, new Date(T0).toISOString());
    assert.ok(!JSON.stringify(created.record).includes(created.key.slice(8, 20)));

    const auth = await keys.authenticate(created.key);
    assert.ok(auth.ok);
    assert.equal(auth.key.id, created.id);
    assert.equal(auth.viaPrevious, false);
    assert.ok(hasScope(auth.key, 'verify'));
    assert.ok(hasScope(auth.key, 'jobs'));
    assert.equal(hasScope(auth.key, 'admin'), false);
    assert.equal((await keys.get(created.id))?.lastUsedAt, new Date(T0).toISOString());
  });

  it('lets admin imply every scope and keeps an explicit tenant', async () => {
    const { keys } = await setup();
    const { record } = await keys.create({ name: 'ops', scopes: ['admin'], tenant: 'acme' });
    assert.equal(record.tenant, 'acme');
    assert.ok(hasScope(record, 'verify') && hasScope(record, 'jobs'));
  });

  it('reports malformed, checksum-failing and unknown keys without throwing', async () => {
    const { keys } = await setup();
    const { key } = await keys.create({ name: 'k', scopes: ['verify'] });
    assert.deepEqual(await keys.authenticate(undefined), { ok: false, reason: 'malformed' });
    assert.deepEqual(await keys.authenticate(''), { ok: false, reason: 'malformed' });
    assert.deepEqual(await keys.authenticate('Bearer x'), { ok: false, reason: 'malformed' });
    const flipped = key.slice(0, -1) + (key.at(-1) === 'A' ? 'B' : 'A');
    assert.deepEqual(await keys.authenticate(flipped), { ok: false, reason: 'malformed' });
    assert.deepEqual(await keys.authenticate(generateApiKey()), { ok: false, reason: 'unknown' });
  });

  it('rejects a well-formed key that reuses a lookup id with another secret', async () => {
    const { keys } = await setup();
    const { key } = await keys.create({ name: 'k', scopes: ['verify'] });
    // Same lookup id (first 12 body chars), different rest, valid checksum.
    const forged = generateApiKey();
    const head = key.slice(0, 20) + forged.slice(20, 48);
    const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
    let v = crc32(head);
    let check = '';
    for (let i = 0; i < 6; i++) {
      check = B62[v % 62] + check;
      v = Math.floor(v / 62);
    }
    assert.deepEqual(await keys.authenticate(`${head}_${check}`), { ok: false, reason: 'unknown' });
  });

  it('expires keys by the injected clock', async () => {
    const { keys, advance } = await setup();
    const { key, record } = await keys.create({ name: 'k', scopes: ['verify'], expiresIn: '1h' });
    assert.equal(record.expiresAt, new Date(T0 + 3_600_000).toISOString());
    advance(3_600_000 - 1);
    assert.equal((await keys.authenticate(key)).ok, true);
    advance(1);
    assert.deepEqual(await keys.authenticate(key), { ok: false, reason: 'expired' });
  });

  it('rotates with a grace period: both secrets work until it ends', async () => {
    const { keys, advance } = await setup();
    const old = await keys.create({ name: 'k', scopes: ['jobs'] });
    const rotated = await keys.rotate(old.id, { graceSeconds: 3600 });
    assert.ok(rotated);
    assert.equal(rotated.id, old.id);
    assert.notEqual(rotated.key, old.key);
    assert.equal(rotated.record.previousExpiresAt, new Date(T0 + 3_600_000).toISOString());
    const viaOld = await keys.authenticate(old.key);
    assert.ok(viaOld.ok && viaOld.viaPrevious);
    const viaNew = await keys.authenticate(rotated.key);
    assert.ok(viaNew.ok && !viaNew.viaPrevious);
    advance(3_600_000);
    assert.deepEqual(await keys.authenticate(old.key), { ok: false, reason: 'expired' });
    assert.equal((await keys.authenticate(rotated.key)).ok, true);
  });

  it('rotates with grace 0: the old secret stops at once; a second rotation drops the first', async () => {
    const { keys } = await setup();
    const first = await keys.create({ name: 'k', scopes: ['verify'] });
    const second = await keys.rotate(first.id, { graceSeconds: 0 });
    assert.ok(second);
    assert.deepEqual(await keys.authenticate(first.key), { ok: false, reason: 'expired' });
    const third = await keys.rotate(first.id, { graceSeconds: 600 });
    assert.ok(third);
    assert.equal((await keys.authenticate(second.key)).ok, true);
    assert.deepEqual(await keys.authenticate(first.key), { ok: false, reason: 'unknown' });
    await assert.rejects(keys.rotate(first.id, { graceSeconds: -1 }), /rotation grace/);
    assert.equal(await keys.rotate('key_missing', { graceSeconds: 0 }), undefined);
  });

  it('revokes: current and grace secrets stop, rotation is refused, revoke is idempotent', async () => {
    const { keys, advance } = await setup();
    const a = await keys.create({ name: 'k', scopes: ['verify'] });
    const b = await keys.rotate(a.id, { graceSeconds: 3600 });
    assert.ok(b);
    const revoked = await keys.revoke(a.id);
    assert.equal(revoked?.revokedAt, new Date(T0).toISOString());
    assert.deepEqual(await keys.authenticate(b.key), { ok: false, reason: 'revoked' });
    assert.deepEqual(await keys.authenticate(a.key), { ok: false, reason: 'revoked' });
    assert.equal(await keys.rotate(a.id, { graceSeconds: 0 }), undefined);
    advance(5000);
    assert.equal((await keys.revoke(a.id))?.revokedAt, new Date(T0).toISOString());
    assert.equal(await keys.revoke('key_missing'), undefined);
  });

  it('lists keys newest first without secrets', async () => {
    const { keys, advance } = await setup();
    const x = await keys.create({ name: 'x', scopes: ['verify'] });
    advance(1000);
    const y = await keys.create({ name: 'y', scopes: ['verify'] });
    const ids = (await keys.list()).map((k) => k.id);
    assert.ok(ids.indexOf(y.id) < ids.indexOf(x.id));
    const json = JSON.stringify(await keys.list());
    assert.ok(!json.includes(x.key) && !json.includes('secret') && !json.includes('Hash'));
  });

  it('validates create input with clear errors', async () => {
    const { keys } = await setup();
    const cases: [Parameters<KeyService['create']>[0], RegExp][] = [
      [{ name: '', scopes: ['verify'] }, /name must be 1\.\.100/],
      [{ name: 'a\nb', scopes: ['verify'] }, /control characters/],
      [{ name: 'n', scopes: [] }, /at least one scope/],
      [{ name: 'n', scopes: ['root' as 'admin'] }, /unknown scope/],
      [{ name: 'n', scopes: ['verify'], rate: '5/fortnight' }, /invalid rate/],
      [{ name: 'n', scopes: ['verify'], rate: '5/s', ratePerMinute: 5 }, /not both/],
      [{ name: 'n', scopes: ['verify'], expiresIn: '3y' }, /invalid duration/],
      [{ name: 'n', scopes: ['verify'], expiresAt: T0 - 1 }, /in the future/],
      [{ name: 'n', scopes: ['verify'], expiresAt: 'soon' }, /not a valid time/],
    ];
    for (const [input, message] of cases) {
      await assert.rejects(keys.create(input), message, JSON.stringify(input));
    }
    const perMinute = await keys.create({ name: 'n', scopes: ['verify'], ratePerMinute: 30 });
    assert.deepEqual(perMinute.record.rate, { limit: 30, windowSeconds: 60 });
  });
});
