import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachDialect } from '../store/dialects.js';
import { bearer, startHarness, type Harness } from './fixtures/server-harness.js';
import { createKeyService } from '../../src/server/keys/key-service.js';
import { DEFAULT_AUTH_CACHE_TTL_MS } from '../../src/server/auth-cache.js';

const HOUR = 3_600_000;

forEachDialect('authentication and scopes', (ctx) => {
  let h: Harness;
  let clock = Date.now();
  let verifyKey: string;
  let adminKey: string;
  const verify = (headers: Record<string, string>) =>
    h.request({
      method: 'POST',
      url: '/v1/verify',
      headers,
      payload: { email: 'a@nowhere.test' },
    });

  before(async () => {
    h = await startHarness(ctx, {
      now: () => clock,
      config: { 'server.authFailureThreshold': 1000 },
    });
    verifyKey = await h.key({ scopes: ['verify'] });
    adminKey = await h.key({ scopes: ['admin'] });
  });
  after(() => h.close());

  const assertProblem = (res: Awaited<ReturnType<typeof verify>>, status: number, type: string) => {
    assert.equal(res.statusCode, status);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    const body = res.json();
    assert.equal(body.status, status);
    assert.equal(body.type, `urn:mailvet:problem:${type}`);
    assert.equal(body.instance, res.headers['x-request-id']);
  };

  it('accepts Bearer and X-API-Key', async () => {
    assert.equal((await verify(bearer(verifyKey))).statusCode, 200);
    assert.equal((await verify({ 'x-api-key': verifyKey })).statusCode, 200);
  });

  it('missing credentials: 401 with a Bearer challenge', async () => {
    const res = await verify({});
    assertProblem(res, 401, 'unauthenticated');
    assert.match(String(res.headers['www-authenticate']), /^Bearer/);
  });

  it('malformed credentials: 401', async () => {
    assertProblem(
      await verify({ authorization: 'Basic Zm9vOmJhcg==' }),
      401,
      'invalid-credentials',
    );
    assertProblem(await verify({ authorization: 'Bearer' }), 401, 'invalid-credentials');
    assertProblem(
      await verify({ authorization: `Bearer ${verifyKey}`, 'x-api-key': adminKey }),
      401,
      'invalid-credentials',
    );
    assertProblem(await verify({ 'x-api-key': 'x'.repeat(5000) }), 401, 'invalid-credentials');
  });

  it('unknown key (well-formed, wrong checksum, or random): 401', async () => {
    assertProblem(
      await verify(bearer('mv_live_definitelyNotAKey000000000000000')),
      401,
      'invalid-credentials',
    );
    const tampered = verifyKey.slice(0, -1) + (verifyKey.endsWith('A') ? 'B' : 'A');
    assertProblem(await verify(bearer(tampered)), 401, 'invalid-credentials');
  });

  it('wrong scope: 403; admin implies verify', async () => {
    assertProblem(
      await h.request({ method: 'GET', url: '/v1/keys', headers: bearer(verifyKey) }),
      403,
      'insufficient-scope',
    );
    assert.equal((await verify(bearer(adminKey))).statusCode, 200);
  });

  it('expired key: 401', async () => {
    const secret = await h.key({ scopes: ['verify'], expiresIn: '1h' });
    assert.equal((await verify(bearer(secret))).statusCode, 200);
    clock += 2 * HOUR;
    const res = await verify(bearer(secret));
    assertProblem(res, 401, 'invalid-credentials');
    assert.match(res.json().detail, /expired/);
  });

  it('revoked key: 401 immediately', async () => {
    const created = await h.keyService.create({ name: 'to-revoke', scopes: ['verify'] });
    h.secrets.push(created.key);
    assert.equal((await verify(bearer(created.key))).statusCode, 200);
    const del = await h.request({
      method: 'DELETE',
      url: `/v1/keys/${created.id}`,
      headers: bearer(adminKey),
    });
    assert.equal(del.statusCode, 200);
    assert.ok(del.json().key.revokedAt);
    const res = await verify(bearer(created.key));
    assertProblem(res, 401, 'invalid-credentials');
    assert.match(res.json().detail, /revoked/);
  });

  it('rotation: old secret works during the grace period and not after; new one works', async () => {
    const created = await h.keyService.create({ name: 'to-rotate', scopes: ['verify'] });
    h.secrets.push(created.key);
    const res = await h.request({
      method: 'POST',
      url: `/v1/keys/${created.id}/rotate`,
      headers: bearer(adminKey),
      payload: { graceSeconds: 600 },
    });
    assert.equal(res.statusCode, 200);
    const fresh = res.json().key as string;
    h.secrets.push(fresh);
    assert.notEqual(fresh, created.key);
    assert.equal((await verify(bearer(fresh))).statusCode, 200);
    assert.equal((await verify(bearer(created.key))).statusCode, 200, 'old secret inside grace');
    clock += 601_000;
    assertProblem(await verify(bearer(created.key)), 401, 'invalid-credentials');
    assert.equal((await verify(bearer(fresh))).statusCode, 200);
  });

  it('rotation with graceSeconds 0 invalidates the old secret at once', async () => {
    const created = await h.keyService.create({ name: 'rotate-now', scopes: ['verify'] });
    h.secrets.push(created.key);
    const res = await h.request({
      method: 'POST',
      url: `/v1/keys/${created.id}/rotate`,
      headers: bearer(adminKey),
      payload: { graceSeconds: 0 },
    });
    h.secrets.push(res.json().key);
    assertProblem(await verify(bearer(created.key)), 401, 'invalid-credentials');
  });

  it('a key revoked by another process stops working once its cached authentication lapses', async () => {
    const created = await h.keyService.create({ name: 'cli-revoked', scopes: ['verify'] });
    h.secrets.push(created.key);
    assert.equal((await verify(bearer(created.key))).statusCode, 200);
    // Another process (the CLI) revokes through its own service on the same database.
    await createKeyService(h.store, { now: () => clock }).revoke(created.id);
    clock += DEFAULT_AUTH_CACHE_TTL_MS + 1;
    assertProblem(await verify(bearer(created.key)), 401, 'invalid-credentials');
  });

  it('auth failures are counted in metrics by reason', async () => {
    const text = await h.metrics.registry.metrics();
    assert.match(text, /mailvet_auth_failures_total\{reason="missing"\} [1-9]/);
    assert.match(text, /mailvet_auth_failures_total\{reason="scope"\} [1-9]/);
  });
});
