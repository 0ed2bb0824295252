import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Redis } from 'ioredis';
import { forEachDialect } from '../store/dialects.js';
import { bearer, startHarness, type Harness } from './fixtures/server-harness.js';
import { publish } from '../../src/observability/channels.js';

forEachDialect('health, metrics and docs', (ctx) => {
  let h: Harness;
  let secret: string;
  before(async () => {
    h = await startHarness(ctx, { config: { 'server.metricsToken': 'metrics-secret-1' } });
    secret = await h.key({ scopes: ['verify'] });
  });
  after(() => h.close());

  it('/health/live and /health/ready answer without a key', async () => {
    const live = await h.request({ method: 'GET', url: '/health/live' });
    assert.equal(live.statusCode, 200);
    assert.deepEqual(live.json(), { status: 'ok' });
    const ready = await h.request({ method: 'GET', url: '/health/ready' });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(
      ready.json().checks.map((c: { name: string; ok: boolean }) => [c.name, c.ok]),
      [
        ['database', true],
        ['migrations', true],
      ],
    );
  });

  it('/metrics needs the metrics token when one is configured', async () => {
    assert.equal((await h.request({ method: 'GET', url: '/metrics' })).statusCode, 401);
    assert.equal(
      (await h.request({ method: 'GET', url: '/metrics', headers: bearer('wrong') })).statusCode,
      401,
    );
    assert.equal(
      (await h.request({ method: 'GET', url: '/metrics', headers: bearer(secret) })).statusCode,
      401,
      'an API key is not the metrics token',
    );
    assert.equal(
      (await h.request({ method: 'GET', url: '/metrics', headers: bearer('metrics-secret-1') }))
        .statusCode,
      200,
    );
  });

  it('exposes the expected families, with no address, domain, key or IP in any label', async () => {
    await h.request({
      method: 'POST',
      url: '/v1/verify',
      headers: bearer(secret),
      payload: { email: 'metric.person@nowhere.test' },
    });
    await h.request({
      method: 'GET',
      url: '/v1/verify?email=a%40example.test',
      headers: bearer(secret),
    });
    await h.request({ method: 'GET', url: '/no/such/route/203.0.113.9' });
    // Engine messages as the SMTP layer publishes them, one hostile.
    publish('smtpSession', { reused: true, host: 'mx.secret-domain.test' });
    publish('smtpReply', { command: 'RCPT', replyClass: '5xx' });
    publish('smtpReply', { command: 'RCPT TO:<victim@secret-domain.test>', replyClass: 'evil@x' });
    publish('smtpBreaker', { from: 'closed', to: 'open' });
    publish('smtpPoolWait', { seconds: 0.2 });
    publish('smtpTransaction', { recipients: 7 });
    publish('dnsCache', { hit: true, kind: 'positive' });
    const res = await h.request({
      method: 'GET',
      url: '/metrics',
      headers: bearer('metrics-secret-1'),
    });
    const text = res.body;
    for (const family of [
      'mailvet_http_requests_total',
      'mailvet_http_request_duration_seconds',
      'mailvet_verifications_total',
      'mailvet_verify_step_duration_seconds',
      'mailvet_dns_cache_lookups_total',
      'mailvet_smtp_sessions_total',
      'mailvet_smtp_recipients_per_transaction',
      'mailvet_smtp_replies_total',
      'mailvet_smtp_pool_wait_seconds',
      'mailvet_smtp_breaker_transitions_total',
      'mailvet_rate_limit_rejections_total',
      'mailvet_auth_failures_total',
      'mailvet_ip_blocked_requests_total',
      'mailvet_process_cpu_seconds_total',
    ]) {
      assert.match(text, new RegExp(`^# TYPE ${family} `, 'm'), family);
    }
    assert.match(
      text,
      /mailvet_http_requests_total\{route="\/v1\/verify",method="POST",code="200"\} 1/,
    );
    assert.match(
      text,
      /mailvet_http_requests_total\{route="unmatched",method="GET",code="404"\} 1/,
    );
    assert.match(
      text,
      /mailvet_verifications_total\{status="undeliverable",reason="no_such_domain"\} [1-9]/,
    );
    assert.match(text, /mailvet_verify_step_duration_seconds_bucket\{le="120",step="dns"\}/);
    assert.match(text, /mailvet_smtp_replies_total\{command="other",class="other"\} 1/);
    const labelValues = [...text.matchAll(/\w+="([^"]*)"/g)].map((m) => m[1]);
    for (const v of labelValues) {
      assert.doesNotMatch(v, /@|\.test|\d+\.\d+\.\d+\.\d+|key_|mv_live|::/, `label value ${v}`);
    }
  });

  it('/openapi.json documents every route; /docs serves Swagger UI', async () => {
    const res = await h.request({ method: 'GET', url: '/openapi.json' });
    assert.equal(res.statusCode, 200);
    const doc = res.json();
    assert.equal(doc.openapi, '3.1.0');
    for (const path of [
      '/v1/verify',
      '/v1/verify/batch',
      '/v1/keys',
      '/v1/keys/{id}/rotate',
      '/v1/keys/{id}',
      '/v1/admin/ip-blocks',
      '/v1/admin/audit',
      '/v1/usage',
      '/v1/jobs',
      '/v1/jobs/{id}',
      '/v1/jobs/{id}/results',
      '/health/live',
      '/health/ready',
      '/metrics',
    ]) {
      assert.ok(doc.paths[path], path);
    }
    assert.ok(doc.paths['/v1/verify'].post.requestBody);
    // POST /v1/jobs reads its body itself (CSV streams), yet documents all three forms.
    const createJob = doc.paths['/v1/jobs'].post;
    assert.deepEqual(Object.keys(createJob.requestBody.content).sort(), [
      'application/json',
      'multipart/form-data',
      'text/csv',
    ]);
    assert.deepEqual(createJob.requestBody.content['application/json'].schema.required, ['emails']);
    assert.equal(
      createJob.requestBody.content['multipart/form-data'].schema.properties.file.format,
      'binary',
    );
    assert.ok(
      createJob.parameters.some(
        (p: { in: string; name: string }) => p.in === 'header' && p.name === 'idempotency-key',
      ),
      'the Idempotency-Key header is a documented parameter',
    );
    const results = doc.paths['/v1/jobs/{id}/results'].get.responses['200'];
    assert.deepEqual(Object.keys(results.content).sort(), ['application/json', 'text/csv']);
    assert.equal(
      results.content['application/json'].schema.items.properties.result.anyOf[0].$ref,
      '#/components/schemas/VerificationResult',
    );
    assert.deepEqual(doc.paths['/v1/verify'].post.security, [
      { bearerAuth: [] },
      { apiKeyHeader: [] },
    ]);
    const ui = await h.request({ method: 'GET', url: '/docs/' });
    assert.equal(ui.statusCode, 200);
    assert.match(ui.body, /swagger/i);
  });

  it('/health/ready fails with 503 problem+json when the database is closed', async () => {
    const store = await ctx.fresh();
    const other = await startHarness(ctx, { store });
    try {
      await store.close();
      const res = await other.request({ method: 'GET', url: '/health/ready' });
      assert.equal(res.statusCode, 503);
      assert.match(String(res.headers['content-type']), /problem\+json/);
      const failed = res
        .json()
        .checks.filter((c: { ok: boolean }) => !c.ok)
        .map((c: { name: string }) => c.name);
      assert.ok(failed.includes('database'));
    } finally {
      await other.close();
    }
  });

  it('/health/ready checks Redis when configured', async () => {
    const up = new Redis('redis://127.0.0.1:6379');
    const down = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableOfflineQueue: false,
    });
    down.on('error', () => undefined); // the refused connection is the point of this test
    const withUp = await startHarness(ctx, { redis: up });
    const withDown = await startHarness(ctx, { redis: down });
    try {
      const ok = await withUp.request({ method: 'GET', url: '/health/ready' });
      assert.equal(ok.statusCode, 200);
      assert.ok(
        ok.json().checks.some((c: { name: string; ok: boolean }) => c.name === 'redis' && c.ok),
      );
      const bad = await withDown.request({ method: 'GET', url: '/health/ready' });
      assert.equal(bad.statusCode, 503);
      assert.match(bad.json().detail, /redis/);
    } finally {
      await withUp.close();
      await withDown.close();
      await up.quit();
      down.disconnect();
    }
  });
});
