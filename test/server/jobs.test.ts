import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { forEachDialect } from '../store/dialects.js';
import { startDnsServer } from '../world/dns-server.js';
import { defaultConfig } from '../../src/config.js';
import { buildApp } from '../../src/server/app.js';
import { createKeyService } from '../../src/server/keys/key-service.js';
import { createDefaultVerifier } from '../../src/verify/default-verifier.js';
import { createLogger } from '../../src/observability/logger.js';
import { startWorkers, type JobWorkers } from '../../src/jobs/start-workers.js';
import { verifyWebhookSignature } from '../../src/jobs/webhook-signature.js';
import type { Verifier } from '../../src/verify/verifier-types.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

forEachDialect('jobs API', (d) => {
  let dns: Awaited<ReturnType<typeof startDnsServer>>;
  let app: FastifyInstance;
  let verifier: Verifier;
  let workers: JobWorkers;
  let keyA: string;
  let keyB: string;
  let keyVerifyOnly: string;
  let receiver: Server;
  let receiverUrl: string;
  const hooks: { body: string; signature: string; status: number }[] = [];
  let failHooks = 0;

  before(async () => {
    dns = await startDnsServer({
      zones: {
        'ok.test': { mx: [{ exchange: 'mx.ok.test', preference: 10 }] },
        'mx.ok.test': { a: ['127.0.7.1'] },
        'gone.test': { rcode: 'NXDOMAIN' },
      },
    });
    const config = defaultConfig({
      'smtp.enabled': false,
      'dns.servers': [dns.address],
      'jobs.webhookAllowPrivate': true,
      'jobs.pollIntervalMs': 50,
      'jobs.maxRows': 50,
      'jobs.maxUploadBytes': 4096,
      logLevel: 'silent',
    });
    const store = await d.open();
    verifier = createDefaultVerifier(config);
    const keyService = createKeyService(store);
    app = await buildApp({ config, verifier, store, keyService });
    workers = startWorkers({
      store,
      verifier,
      jobs: config.jobs,
      smtpDefault: false,
      log: createLogger({ level: 'silent' }),
      loops: 2,
    });
    keyA = (await keyService.create({ name: 'a', scopes: ['jobs'] })).key;
    keyB = (await keyService.create({ name: 'b', scopes: ['jobs'] })).key;
    keyVerifyOnly = (await keyService.create({ name: 'v', scopes: ['verify'] })).key;
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const status = failHooks-- > 0 ? 500 : 204;
        hooks.push({ body, signature: String(req.headers['mailvet-signature']), status });
        res.statusCode = status;
        res.end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });

  after(async () => {
    await workers.stop(1000);
    await app.close();
    await verifier.close();
    await dns.close();
    await new Promise((r) => receiver.close(r));
  });

  const auth = (key: string) => ({ authorization: `Bearer ${key}` });

  async function waitFor(key: string, id: string, state = 'completed'): Promise<Json> {
    for (;;) {
      const res = await app.inject({ method: 'GET', url: `/v1/jobs/${id}`, headers: auth(key) });
      const job = res.json() as Json;
      if (job.state === state) return job;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('runs a CSV job end to end and exports original plus result columns', async () => {
    const csv =
      'name,email\nAnn,ann@ok.test\nBob,bob@gone.test\nAnn again,ANN@ok.test\nBad,not-an-address\n';
    const res = await app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: { ...auth(keyA), 'content-type': 'text/csv' },
      payload: csv,
    });
    assert.equal(res.statusCode, 201, res.body);
    const { job, webhookSecret } = res.json() as Json;
    assert.equal(webhookSecret, null);
    const done = await waitFor(keyA, job.id);
    assert.equal(done.counts.total, 4);
    assert.equal(done.counts.done, 4);
    assert.equal(done.percent, 100);
    assert.equal(done.counts.undeliverable >= 2, true);

    const out = await app.inject({
      method: 'GET',
      url: `/v1/jobs/${job.id}/results?format=csv`,
      headers: auth(keyA),
    });
    assert.equal(out.statusCode, 200);
    assert.match(String(out.headers['content-type']), /text\/csv/);
    const lines = out.body.trim().split('\n');
    assert.equal(lines.length, 5);
    assert.match(lines[0], /^name,email,mv_item,mv_state,mv_status/);
    assert.match(lines[2], /^Bob,bob@gone.test,2,done,undeliverable,no_such_domain/);

    const raw = await app.inject({
      method: 'GET',
      url: `/v1/jobs/${job.id}/results?format=csv&formulaGuard=false`,
      headers: auth(keyA),
    });
    assert.equal(raw.statusCode, 200);
    assert.equal(raw.body, out.body);
    const badGuard = await app.inject({
      method: 'GET',
      url: `/v1/jobs/${job.id}/results?formulaGuard=no`,
      headers: auth(keyA),
    });
    assert.equal(badGuard.statusCode, 400);

    const json = await app.inject({
      method: 'GET',
      url: `/v1/jobs/${job.id}/results?format=json&status=undeliverable`,
      headers: auth(keyA),
    });
    const rows = json.json() as Json[];
    assert.ok(rows.length >= 2);
    assert.ok(rows.every((r) => r.result.status === 'undeliverable'));
    assert.equal(rows.find((r) => r.item === 2)?.row.name, 'Bob');
  });

  it("answers 404 for another tenant's job and 403 without the jobs scope", async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: auth(keyA),
      payload: { emails: ['x@ok.test'] },
    });
    const id = (res.json() as Json).job.id as string;
    for (const [method, url] of [
      ['GET', `/v1/jobs/${id}`],
      ['GET', `/v1/jobs/${id}/results`],
      ['DELETE', `/v1/jobs/${id}`],
    ] as const) {
      const other = await app.inject({ method, url, headers: auth(keyB) });
      assert.equal(other.statusCode, 404, `${method} ${url}`);
      assert.match(String(other.headers['content-type']), /application\/problem\+json/);
    }
    const list = await app.inject({ method: 'GET', url: '/v1/jobs', headers: auth(keyB) });
    assert.deepEqual((list.json() as Json).jobs, []);
    const denied = await app.inject({
      method: 'GET',
      url: '/v1/jobs',
      headers: auth(keyVerifyOnly),
    });
    assert.equal(denied.statusCode, 403);
  });

  it('replays a job for the same Idempotency-Key and owner', async () => {
    const send = (key: string) =>
      app.inject({
        method: 'POST',
        url: '/v1/jobs',
        headers: { ...auth(key), 'idempotency-key': 'import-42' },
        payload: { emails: ['y@ok.test'] },
      });
    const first = await send(keyA);
    const again = await send(keyA);
    const other = await send(keyB);
    assert.equal(first.statusCode, 201);
    assert.equal(again.statusCode, 200);
    assert.equal((again.json() as Json).job.id, (first.json() as Json).job.id);
    assert.equal(other.statusCode, 201);
    assert.notEqual((other.json() as Json).job.id, (first.json() as Json).job.id);
  });

  it('refuses too many rows, too many bytes and a missing column as problem+json', async () => {
    const many = Array.from({ length: 51 }, (_, i) => `u${i}@ok.test`);
    const rows = await app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: auth(keyA),
      payload: { emails: many },
    });
    assert.equal(rows.statusCode, 413);
    const csvRows = await app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: { ...auth(keyA), 'content-type': 'text/csv' },
      payload: 'email\n' + many.join('\n') + '\n',
    });
    assert.equal(csvRows.statusCode, 413);
    const big = await app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: { ...auth(keyA), 'content-type': 'text/csv' },
      payload: 'email,pad\n' + `a@ok.test,${'x'.repeat(5000)}\n`,
    });
    assert.equal(big.statusCode, 413);
    assert.equal((big.json() as Json).type, 'urn:mailvet:problem:payload-too-large');
    const column = await app.inject({
      method: 'POST',
      url: '/v1/jobs?column=mail',
      headers: { ...auth(keyA), 'content-type': 'text/csv' },
      payload: 'email\na@ok.test\n',
    });
    assert.equal(column.statusCode, 400);
    assert.match((column.json() as Json).detail, /no column named "mail"/);
    const bad = await app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: auth(keyA),
      payload: { emails: 'nope' },
    });
    assert.equal(bad.statusCode, 400);
  });

  it('refuses a webhook URL on a private address unless allowed', async () => {
    // This app allows private receivers (test switch); the check itself is unit-tested below.
    const { checkWebhookUrl } = await import('../../src/jobs/webhook-url.js');
    await assert.rejects(checkWebhookUrl('http://127.0.0.1:9/x', false), /private, loopback/);
    await assert.rejects(checkWebhookUrl('http://10.1.2.3/x', false), /private, loopback/);
    await assert.rejects(checkWebhookUrl('ftp://example.com/x', false), /https/);
    assert.deepEqual(await checkWebhookUrl('http://127.0.0.1:9/x', true), ['127.0.0.1']);
  });

  it('cancels a job: pending items are skipped', async () => {
    // Workers stopped first, so every item is still pending when the job is cancelled.
    const emails = Array.from({ length: 40 }, (_, i) => `c${i}@ok.test`);
    await workers.stop(1000);
    const res = await app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: auth(keyA),
      payload: { emails },
    });
    const id = (res.json() as Json).job.id as string;
    const del = await app.inject({ method: 'DELETE', url: `/v1/jobs/${id}`, headers: auth(keyA) });
    assert.equal(del.statusCode, 200);
    const job = del.json() as Json;
    assert.equal(job.state, 'cancelled');
    assert.equal(job.counts.skipped, 40);
    const skipped = await app.inject({
      method: 'GET',
      url: `/v1/jobs/${id}/results?format=json&status=skipped`,
      headers: auth(keyA),
    });
    assert.equal((skipped.json() as Json[]).length, 40);
  });

  it('posts a signed webhook on completion, retrying after failures', async () => {
    workers = startWorkers({
      store: await d.open(),
      verifier,
      jobs: { ...defaultConfig().jobs, webhookAllowPrivate: true, pollIntervalMs: 50 },
      smtpDefault: false,
      log: createLogger({ level: 'silent' }),
      loops: 1,
    });
    failHooks = 1;
    hooks.length = 0;
    const res = await app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: auth(keyA),
      payload: { emails: ['w@ok.test'], options: { webhookUrl: receiverUrl } },
    });
    assert.equal(res.statusCode, 201, res.body);
    const { job, webhookSecret } = res.json() as Json;
    assert.match(webhookSecret, /^whsec_/);
    let state: Json;
    for (;;) {
      state = (
        await app.inject({ method: 'GET', url: `/v1/jobs/${job.id}`, headers: auth(keyA) })
      ).json() as Json;
      if (state.webhook.state === 'delivered' || state.webhook.state === 'failed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(state.webhook.state, 'delivered');
    assert.equal(state.webhook.attempts, 2);
    assert.deepEqual(
      hooks.map((h) => h.status),
      [500, 204],
    );
    const last = hooks[1];
    const now = Math.floor(Date.now() / 1000);
    assert.equal(verifyWebhookSignature(webhookSecret, last.signature, last.body, now), true);
    assert.equal(
      verifyWebhookSignature(webhookSecret, last.signature, last.body + ' ', now),
      false,
    );
    assert.equal(verifyWebhookSignature('whsec_other', last.signature, last.body, now), false);
    assert.equal(
      verifyWebhookSignature(webhookSecret, last.signature, last.body, now + 3600),
      false,
    );
    const payload = JSON.parse(last.body) as Json;
    assert.equal(payload.type, 'job.completed');
    assert.equal(payload.job.id, job.id);
    assert.equal(payload.job.counts.done, 1);
  });
});
