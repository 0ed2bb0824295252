import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachDialect } from '../store/dialects.js';
import { bearer, startHarness, type Harness } from './fixtures/server-harness.js';
import type { Verifier } from '../../src/verify/verifier-types.js';

/** Local parts distinctive enough that any occurrence in a log or row is a leak. */
const ADDRESSES = [
  'zebra.quokka7@nowhere.test',
  'narwhal.ibex9@example.test',
  'not-an-address-okapi3',
];
const BATCH_ADDRESS = 'lemur.tapir5@nowhere.test';
const FAILING_ADDRESS = 'pangolin.yak2@nowhere.test';

forEachDialect('no secrets or raw addresses in logs and audit rows', (ctx) => {
  let h: Harness;
  let admin: string;
  before(async () => {
    // Fails for one address with a message naming it, like a careless driver error would.
    const wrapVerifier = (real: Verifier): Verifier => ({
      verify: async (email, options) => {
        if (email === FAILING_ADDRESS) throw new Error(`boom while checking ${email}`);
        return real.verify(email, options);
      },
      verifyMany: (emails, options) => real.verifyMany(emails, options),
      close: () => real.close(),
    });
    h = await startHarness(ctx, { wrapVerifier, config: { 'server.authFailureThreshold': 1000 } });
    admin = await h.key({ scopes: ['admin'] });
  });
  after(() => h.close());

  it('exercises every kind of request, including failures and a 500', async () => {
    const verifyKey = await h.key({ scopes: ['verify'] });
    for (const email of ADDRESSES) {
      assert.equal(
        (
          await h.request({
            method: 'POST',
            url: '/v1/verify',
            headers: bearer(verifyKey),
            payload: { email },
          })
        ).statusCode,
        200,
      );
      const q = await h.request({
        method: 'GET',
        url: `/v1/verify?email=${encodeURIComponent(email)}`,
        headers: bearer(verifyKey),
      });
      assert.equal(q.statusCode, 200);
    }
    const batch = await h.request({
      method: 'POST',
      url: '/v1/verify/batch',
      headers: { 'x-api-key': verifyKey },
      payload: { emails: [BATCH_ADDRESS] },
    });
    assert.equal(batch.statusCode, 200);
    // Invalid requests carrying an address: the schema error must not echo it into logs.
    await h.request({
      method: 'POST',
      url: '/v1/verify',
      headers: bearer(verifyKey),
      payload: { email: ADDRESSES[0], junk: ADDRESSES[1] },
    });
    await h.request({ method: 'GET', url: `/nope?email=${encodeURIComponent(ADDRESSES[0])}` });
    await h.request({ method: 'GET', url: `/v1/${encodeURIComponent(ADDRESSES[1])}` });
    // Auth failures with secret-looking and real-but-wrong-scope keys.
    await h.request({
      method: 'POST',
      url: '/v1/verify',
      headers: bearer(verifyKey + 'x'),
      payload: { email: ADDRESSES[0] },
    });
    await h.request({ method: 'GET', url: '/v1/keys', headers: bearer(verifyKey) });
    // Key management responses contain a secret; their audit rows must not.
    const created = await h.request({
      method: 'POST',
      url: '/v1/keys',
      headers: bearer(admin),
      payload: { name: 'leak-check', scopes: ['verify'] },
    });
    h.secrets.push(created.json().key);
    const rotated = await h.request({
      method: 'POST',
      url: `/v1/keys/${created.json().id}/rotate`,
      headers: bearer(admin),
      payload: { graceSeconds: 0 },
    });
    h.secrets.push(rotated.json().key);
    // The 500 path.
    const failed = await h.request({
      method: 'POST',
      url: '/v1/verify',
      headers: bearer(verifyKey),
      payload: { email: FAILING_ADDRESS },
    });
    assert.equal(failed.statusCode, 500);
    assert.equal(failed.json().type, 'urn:mailvet:problem:internal-error');
    assert.doesNotMatch(failed.body, /pangolin/);
    assert.ok(
      h.logs.some((l) => JSON.parse(l).level === 50),
      'the 500 was logged',
    );
  });

  it('finds no key secret and no raw address anywhere', async () => {
    await h.app.flushAudit();
    const rows = (await h.store.audit.query({ limit: 1000 })).entries;
    assert.ok(rows.length >= 15, `audit has a row per request (${rows.length})`);
    const haystacks = { logs: h.logs.join('\n'), audit: JSON.stringify(rows) };
    const localParts = [...ADDRESSES, BATCH_ADDRESS, FAILING_ADDRESS].map((a) => a.split('@')[0]);
    for (const [where, text] of Object.entries(haystacks)) {
      for (const secret of h.secrets) {
        assert.ok(!text.includes(secret), `${where} contains a key secret`);
        assert.ok(!text.includes(secret.slice(-20)), `${where} contains the secret's tail`);
      }
      for (const local of localParts)
        assert.ok(!text.includes(local), `${where} contains ${local}`);
    }
  });

  it('audit rows carry who, what, when and the result, with masked objects', async () => {
    const page = await h.store.audit.query({ route: '/v1/verify', limit: 1000 });
    const row = page.entries.find((e) => e.method === 'POST' && e.status === 200);
    assert.ok(row);
    assert.match(row.keyId ?? '', /^key_/);
    assert.equal(row.ip, '127.0.0.1');
    assert.equal(row.action, 'verify.single');
    assert.match(row.object ?? '', /^.\*\*\*@(nowhere|example)\.test$|^sha256:[0-9a-f]{16}$/);
    assert.match(row.requestId ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(typeof row.latencyMs, 'number');
    const log = h.logs.map((l) => JSON.parse(l)).find((l) => l.audit?.requestId === row.requestId);
    assert.ok(log, 'a matching log line');
    assert.match(log.audit.time, /Z$/);
    assert.equal(log.audit.route, '/v1/verify');
  });

  it('GET /v1/admin/audit filters by key, route, status and time', async () => {
    const get = (qs: string) =>
      h.request({ method: 'GET', url: `/v1/admin/audit?${qs}`, headers: bearer(admin) });
    const byStatus = await get('status=401');
    assert.equal(byStatus.statusCode, 200);
    assert.ok(byStatus.json().entries.length >= 1);
    assert.ok(byStatus.json().entries.every((e: { status: number }) => e.status === 401));
    const byRoute = await get('route=/v1/verify/batch');
    assert.equal(byRoute.json().entries.length, 1);
    const keyId = byRoute.json().entries[0].keyId;
    const byKey = await get(`key=${keyId}&limit=2`);
    assert.equal(byKey.json().entries.length, 2);
    assert.ok(byKey.json().nextCursor);
    const future = await get(
      `from=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`,
    );
    assert.equal(future.json().entries.length, 0);
    const past = await get(
      `to=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}&limit=1000`,
    );
    assert.ok(past.json().entries.length >= 15);
    // A leap second is a valid RFC 3339 time: the instant after :59.
    const leap = await get(`to=${encodeURIComponent('2099-12-31T23:59:60Z')}&limit=1000`);
    assert.equal(leap.statusCode, 200, leap.body);
    // (each audit query is itself audited, so there may be one row more)
    assert.ok(leap.json().entries.length >= past.json().entries.length);
    const leapFrom = await get(`from=${encodeURIComponent('2016-12-31T23:59:60.5+00:00')}`);
    assert.equal(leapFrom.statusCode, 200, leapFrom.body);
    assert.ok(leapFrom.json().entries.length >= 1);
  });
});
