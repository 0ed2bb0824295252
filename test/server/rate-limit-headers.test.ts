import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachDialect } from '../store/dialects.js';
import {
  bearer,
  startHarness,
  type Harness,
  type HttpRequestOptions,
} from './fixtures/server-harness.js';

/** Allowance of the key in these tests: small, so counting is visible. */
const LIMIT = 20;

/**
 * Every response to an authenticated request carries the rate-limit headers
 * and costs a point — also when the request is refused after auth (scope,
 * JSON, schema, size, media type, unknown object), so a key cannot send
 * invalid requests without limit.
 */
forEachDialect('rate-limit headers on authenticated error responses', (ctx) => {
  let h: Harness;
  before(async () => {
    h = await startHarness(ctx, {
      config: { 'server.defaultRatePerMinute': LIMIT, 'server.bodyLimitBytes': 4096 },
    });
  });
  after(() => h.close());

  const json = { 'content-type': 'application/json' };
  const cases: Array<{
    name: string;
    status: number;
    send: (secret: string) => HttpRequestOptions;
  }> = [
    {
      name: 'unknown field',
      status: 400,
      send: (s) => ({
        method: 'POST',
        url: '/v1/verify',
        headers: { ...bearer(s), ...json },
        payload: JSON.stringify({ email: 'a@example.test', surprise: 1 }),
      }),
    },
    {
      name: 'invalid JSON',
      status: 400,
      send: (s) => ({
        method: 'POST',
        url: '/v1/verify',
        headers: { ...bearer(s), ...json },
        payload: '{"email":',
      }),
    },
    {
      name: 'batch over 100',
      status: 400,
      send: (s) => ({
        method: 'POST',
        url: '/v1/verify/batch',
        headers: { ...bearer(s), ...json },
        payload: JSON.stringify({ emails: Array.from({ length: 101 }, (_, i) => `u${i}@x.test`) }),
      }),
    },
    {
      name: 'body too large',
      status: 413,
      send: (s) => ({
        method: 'POST',
        url: '/v1/verify',
        headers: { ...bearer(s), ...json },
        payload: JSON.stringify({ email: 'a'.repeat(8000) + '@example.test' }),
      }),
    },
    {
      name: 'unsupported media type',
      status: 415,
      send: (s) => ({
        method: 'POST',
        url: '/v1/verify',
        headers: { ...bearer(s), 'content-type': 'application/xml' },
        payload: '<email/>',
      }),
    },
    {
      name: 'wrong scope',
      status: 403,
      send: (s) => ({ method: 'GET', url: '/v1/admin/audit', headers: bearer(s) }),
    },
    {
      name: 'unknown job',
      status: 404,
      send: (s) => ({ method: 'GET', url: `/v1/jobs/job_${'A'.repeat(22)}`, headers: bearer(s) }),
    },
    {
      name: 'malformed job id',
      status: 400,
      send: (s) => ({ method: 'GET', url: '/v1/jobs/nope', headers: bearer(s) }),
    },
  ];

  for (const c of cases) {
    it(`${c.name}: ${c.status} with RateLimit-Policy and RateLimit, one point spent`, async () => {
      const secret = await h.key({ scopes: ['verify', 'jobs'] });
      const res = await h.request(c.send(secret));
      assert.equal(res.statusCode, c.status, res.body);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(res.headers['ratelimit-policy'], `"key";q=${LIMIT};w=60`);
      assert.match(String(res.headers['ratelimit']), new RegExp(`^"key";r=${LIMIT - 1};t=\\d+$`));
    });
  }

  it('a key sending only invalid requests is refused once its allowance is spent', async () => {
    const secret = await h.key({ scopes: ['verify'] });
    const bad = () => h.request(cases[1]!.send(secret));
    for (let i = 0; i < LIMIT; i++) assert.equal((await bad()).statusCode, 400);
    const refused = await bad();
    assert.equal(refused.statusCode, 429);
    assert.ok(Number(refused.headers['retry-after']) >= 1);
    assert.match(String(refused.headers['ratelimit']), /r=0;/);
  });

  it('an unauthenticated request has no rate-limit headers (there is no key to count)', async () => {
    const res = await h.request({ method: 'GET', url: '/v1/usage' });
    assert.equal(res.statusCode, 401);
    assert.equal(res.headers['ratelimit'], undefined);
  });
});
