import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachDialect } from '../store/dialects.js';
import { bearer, startHarness, type Harness } from './fixtures/server-harness.js';

forEachDialect('verify routes', (ctx) => {
  let h: Harness;
  let secret: string;
  before(async () => {
    h = await startHarness(ctx, { config: { 'server.resultCacheTtlSeconds': 60 } });
    secret = await h.key({ scopes: ['verify'] });
  });
  after(() => h.close());

  it('POST /v1/verify answers the result contract with a request id', async () => {
    const res = await h.request({
      method: 'POST',
      url: '/v1/verify',
      headers: bearer(secret),
      payload: { email: 'someone@nowhere.test' },
    });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.email, 'someone@nowhere.test');
    assert.equal(body.status, 'undeliverable');
    assert.equal(body.reason, 'no_such_domain');
    assert.equal(typeof body.checkedAt, 'string');
    assert.match(String(res.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });

  it('GET /v1/verify?email= answers the same contract', async () => {
    const res = await h.request({
      method: 'GET',
      url: '/v1/verify?email=bob%40example.test&smtp=false',
      headers: bearer(secret),
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().email, 'bob@example.test');
    assert.equal(res.json().dns.mx[0].exchange, 'mx.example.test');
  });

  it('a repeated address is answered from the result cache and says so', async () => {
    const payload = { email: 'cached@nowhere.test' };
    const first = await h.request({
      method: 'POST',
      url: '/v1/verify',
      headers: bearer(secret),
      payload,
    });
    assert.equal(first.json().cached, undefined);
    const queries = h.dns.totalQueries();
    const second = await h.request({
      method: 'POST',
      url: '/v1/verify',
      headers: bearer(secret),
      payload,
    });
    assert.equal(second.json().cached, true);
    assert.equal(second.json().reason, 'no_such_domain');
    assert.equal(h.dns.totalQueries(), queries, 'no DNS query for a cached answer');
  });

  it('POST /v1/verify/batch returns results in input order', async () => {
    const emails = ['a@nowhere.test', 'not an address', 'b@example.test'];
    const res = await h.request({
      method: 'POST',
      url: '/v1/verify/batch',
      headers: bearer(secret),
      payload: { emails },
    });
    assert.equal(res.statusCode, 200);
    const results = res.json().results as Array<{ email: string; reason: string }>;
    assert.deepEqual(
      results.map((r) => r.email),
      emails,
    );
    assert.equal(results[1].reason, 'invalid_syntax');
  });

  it('a batch over 100 addresses is a 400 problem', async () => {
    const emails = Array.from({ length: 101 }, (_, i) => `u${i}@nowhere.test`);
    const res = await h.request({
      method: 'POST',
      url: '/v1/verify/batch',
      headers: bearer(secret),
      payload: { emails },
    });
    assert.equal(res.statusCode, 400);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  });

  it('GET /v1/usage counts verifications per day and status for the calling key only', async () => {
    const other = await h.key({ scopes: ['verify'] });
    await h.request({
      method: 'POST',
      url: '/v1/verify',
      headers: bearer(other),
      payload: { email: 'x@nowhere.test' },
    });
    const res = await h.request({ method: 'GET', url: '/v1/usage', headers: bearer(other) });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.days.length, 1);
    assert.equal(body.days[0].day, new Date().toISOString().slice(0, 10));
    assert.deepEqual(body.days[0].byStatus, { undeliverable: 1 });
    assert.equal(body.days[0].total, 1);
    const mine = (
      await h.request({ method: 'GET', url: '/v1/usage', headers: bearer(secret) })
    ).json();
    assert.ok(mine.days[0].total >= 6, 'the first key has its own, larger count');
  });
});
