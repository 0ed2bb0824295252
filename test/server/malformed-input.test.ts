import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachDialect } from '../store/dialects.js';
import { bearer, startHarness, type Harness } from './fixtures/server-harness.js';

forEachDialect('malformed input gets 4xx problem+json, never 500', (ctx) => {
  let h: Harness;
  let headers: Record<string, string>;
  before(async () => {
    h = await startHarness(ctx, { config: { 'server.bodyLimitBytes': 64 * 1024 } });
    headers = { ...bearer(await h.key({ scopes: ['admin'] })), 'content-type': 'application/json' };
  });
  after(() => h.close());

  const post = (payload: string, extra: Record<string, string> = {}, url = '/v1/verify') =>
    h.request({ method: 'POST', url, headers: { ...headers, ...extra }, payload });

  const assertProblem = (res: Awaited<ReturnType<typeof post>>, status: number, why: string) => {
    assert.equal(res.statusCode, status, `${why}: ${res.body.slice(0, 200)}`);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/, why);
    const body = res.json();
    assert.equal(body.status, status, why);
    assert.equal(typeof body.title, 'string');
    assert.equal(typeof body.detail, 'string');
    assert.equal(body.instance, res.headers['x-request-id']);
  };

  it('wrong types are 400 (no coercion)', async () => {
    assertProblem(await post(JSON.stringify({ email: 42 })), 400, 'number email');
    assertProblem(await post(JSON.stringify({ email: ['a@b.test'] })), 400, 'array email');
    assertProblem(
      await post(JSON.stringify({ email: 'a@b.test', options: { smtp: 'true' } })),
      400,
      'string boolean',
    );
    assertProblem(await post(JSON.stringify(['a@b.test'])), 400, 'array body');
    assertProblem(await post('null'), 400, 'null body');
  });

  it('invalid and empty JSON are 400', async () => {
    const res = await post('{"email": "a@b.test"');
    assertProblem(res, 400, 'truncated');
    assert.equal(res.json().type, 'urn:mailvet:problem:invalid-json');
    assertProblem(await post(''), 400, 'empty');
    assertProblem(
      await post('{"__proto__": {"x": 1}, "email": "a@b.test"}'),
      400,
      'prototype pollution',
    );
  });

  it('unknown fields are 400, at any level', async () => {
    assertProblem(await post(JSON.stringify({ email: 'a@b.test', extra: 1 })), 400, 'top level');
    assertProblem(
      await post(JSON.stringify({ email: 'a@b.test', options: { smtp: true, deep: 1 } })),
      400,
      'nested',
    );
    const q = await h.request({
      method: 'GET',
      url: '/v1/verify?email=a%40b.test&x=1',
      headers,
    });
    assertProblem(q, 400, 'query');
  });

  it('a body over the limit is 413', async () => {
    const res = await post(JSON.stringify({ email: 'a@b.test', pad: 'x'.repeat(100 * 1024) }));
    assertProblem(res, 413, 'huge');
    assert.equal(res.json().type, 'urn:mailvet:problem:payload-too-large');
  });

  it('deep nesting is a 400, not a crash', async () => {
    const depth = 20_000;
    const deep = '{"email":"a@b.test","options":' + '['.repeat(depth) + ']'.repeat(depth) + '}';
    assertProblem(await post(deep), 400, 'deep arrays');
    const deepObj = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
    assertProblem(await post(deepObj), 400, 'deep objects');
  });

  it('an unsupported media type is 415', async () => {
    assertProblem(
      await post('email=a@b.test', { 'content-type': 'application/x-www-form-urlencoded' }),
      415,
      'form',
    );
    assertProblem(await post('a@b.test', { 'content-type': 'text/plain' }), 415, 'text');
  });

  it('control characters and over-long addresses are 400', async () => {
    assertProblem(await post(JSON.stringify({ email: 'a@b.test\r\nRCPT TO:<x@y>' })), 400, 'CRLF');
    assertProblem(await post(JSON.stringify({ email: 'a\u0000@b.test' })), 400, 'NUL');
    assertProblem(await post(JSON.stringify({ email: 'a\u007f@b.test' })), 400, 'DEL');
    for (const [c, name] of [
      ['\u0085', 'NEL (C1)'],
      ['\u009b', 'CSI (C1)'],
      ['\u2028', 'line separator'],
      ['\u202e', 'right-to-left override'],
      ['\u2066', 'bidi isolate'],
      ['\ufeff', 'BOM'],
    ]) {
      assertProblem(await post(JSON.stringify({ email: `${c}evil@b.test` })), 400, name);
      assertProblem(
        await post(
          JSON.stringify({ emails: [`ok@b.test`, `a${c}@b.test`] }),
          {},
          '/v1/verify/batch',
        ),
        400,
        `${name} in a batch`,
      );
    }
    assertProblem(
      await post(JSON.stringify({ email: 'a'.repeat(300) + '@' + 'b'.repeat(30) + '.test' })),
      400,
      'long',
    );
    assertProblem(await post(JSON.stringify({ email: '' })), 400, 'empty');
    const q = await h.request({
      method: 'GET',
      url: '/v1/verify?email=a%0d%0a%40b.test',
      headers,
    });
    assertProblem(q, 400, 'CRLF in query');
    const batch = await post(
      JSON.stringify({ emails: ['ok@b.test', 'bad\n@b.test'] }),
      {},
      '/v1/verify/batch',
    );
    assertProblem(batch, 400, 'CRLF in batch');
  });

  it('an address that is syntactically invalid but safe is a result, not an error', async () => {
    const res = await post(JSON.stringify({ email: 'not an address' }));
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().reason, 'invalid_syntax');
  });

  it('unknown routes and methods are 404 problem+json', async () => {
    assertProblem(
      await h.request({ method: 'GET', url: '/v2/nothing?email=a@b.test' }),
      404,
      'unknown route',
    );
    assertProblem(
      await h.request({ method: 'PATCH', url: '/v1/verify', headers: bearer('x') }),
      404,
      'unknown method',
    );
    assertProblem(
      await h.request({ method: 'GET', url: '/v1/keys/' + 'x'.repeat(500) + '/rotate' }),
      404,
      'long param',
    );
  });

  it('bad route parameters and query values are 400', async () => {
    const rot = await h.request({
      method: 'POST',
      url: '/v1/keys/bad%20id/rotate',
      headers,
      payload: JSON.stringify({ graceSeconds: 0 }),
    });
    assertProblem(rot, 400, 'param pattern');
    assertProblem(
      await h.request({ method: 'GET', url: '/v1/admin/audit?status=abc', headers }),
      400,
      'status',
    );
    assertProblem(
      await h.request({ method: 'GET', url: '/v1/admin/audit?limit=0', headers }),
      400,
      'limit 0',
    );
    assertProblem(
      await h.request({ method: 'GET', url: '/v1/admin/audit?from=yesterday', headers }),
      400,
      'from',
    );
    assertProblem(
      await h.request({ method: 'GET', url: '/v1/usage?from=2024-1-1', headers }),
      400,
      'day',
    );
  });

  it('a sane incoming X-Request-Id is kept; a hostile one is replaced', async () => {
    const kept = await h.request({
      method: 'GET',
      url: '/health/live',
      headers: { 'x-request-id': 'abc-123' },
    });
    assert.equal(kept.headers['x-request-id'], 'abc-123');
    const replaced = await h.request({
      method: 'GET',
      url: '/health/live',
      headers: { 'x-request-id': 'a b<script>' },
    });
    assert.match(String(replaced.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });

  it('nothing above produced a 5xx or an error log line', () => {
    const errors = h.logs.filter((l) => JSON.parse(l).level >= 50);
    assert.deepEqual(errors, []);
  });
});
