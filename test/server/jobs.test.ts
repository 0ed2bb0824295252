import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Agent, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { forEachDialect } from '../store/dialects.js';
import { httpRequest, type HttpRequestOptions } from './fixtures/server-harness.js';
import { startDnsServer } from '../world/dns-server.js';
import { defaultConfig } from '../../src/config.js';
import { buildApp } from '../../src/server/app.js';
import { createKeyService } from '../../src/server/keys/key-service.js';
import { createDefaultVerifier } from '../../src/verify/default-verifier.js';
import { createLogger } from '../../src/observability/logger.js';
import { startWorkers, type JobWorkers } from '../../src/jobs/start-workers.js';
import { verifyWebhookSignature } from '../../src/jobs/webhook-signature.js';
import type { Verifier } from '../../src/verify/verifier-types.js';
import { DISCARD_MAX_BYTES } from '../../src/server/discard-upload.js';
import { RawHttpConnection, streamedUpload } from './fixtures/streamed-upload.js';

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
  let port: number;
  const agent = new Agent({ keepAlive: true });
  /** A request over real HTTP to the listening app. */
  const send = (o: HttpRequestOptions) => httpRequest(port, agent, o);
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
      'jobs.maxJsonBytes': 2048,
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
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
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
    agent.destroy();
    await app.close();
    await verifier.close();
    await dns.close();
    await new Promise((r) => receiver.close(r));
  });

  const auth = (key: string) => ({ authorization: `Bearer ${key}` });

  async function waitFor(key: string, id: string, state = 'completed'): Promise<Json> {
    for (;;) {
      const res = await send({ method: 'GET', url: `/v1/jobs/${id}`, headers: auth(key) });
      const job = res.json() as Json;
      if (job.state === state) return job;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('runs a CSV job end to end and exports original plus result columns', async () => {
    const csv =
      'name,email\nAnn,ann@ok.test\nBob,bob@gone.test\nAnn again,ANN@ok.test\nBad,not-an-address\n';
    const res = await send({
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

    const out = await send({
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

    const raw = await send({
      method: 'GET',
      url: `/v1/jobs/${job.id}/results?format=csv&formulaGuard=false`,
      headers: auth(keyA),
    });
    assert.equal(raw.statusCode, 200);
    assert.equal(raw.body, out.body);
    const badGuard = await send({
      method: 'GET',
      url: `/v1/jobs/${job.id}/results?formulaGuard=no`,
      headers: auth(keyA),
    });
    assert.equal(badGuard.statusCode, 400);

    const json = await send({
      method: 'GET',
      url: `/v1/jobs/${job.id}/results?format=json&status=undeliverable`,
      headers: auth(keyA),
    });
    const rows = json.json() as Json[];
    assert.ok(rows.length >= 2);
    assert.ok(rows.every((r) => r.result.status === 'undeliverable'));
    assert.equal(rows.find((r) => r.item === 2)?.row.name, 'Bob');
  });

  it('JSON export keeps every input column: repeated header names get a suffix, __proto__ is a plain key', async () => {
    const res = await send({
      method: 'POST',
      url: '/v1/jobs?column=email&smtp=false',
      headers: { ...auth(keyA), 'content-type': 'text/csv' },
      payload: 'email,__proto__,email,tag,email_2\nann@gone.test,P,other@gone.test,T,X\n',
    });
    assert.equal(res.statusCode, 201, res.body);
    const { job } = res.json() as Json;
    await waitFor(keyA, job.id);
    const out = await send({
      method: 'GET',
      url: `/v1/jobs/${job.id}/results?format=json`,
      headers: auth(keyA),
    });
    assert.equal(out.statusCode, 200);
    const rows = JSON.parse(out.body) as Json[];
    assert.equal(rows.length, 1);
    assert.equal(rows[0].result.email, 'ann@gone.test');
    // Own keys in file order; the third column must not overwrite the first.
    // (JSON.parse makes `__proto__` an own key, as any JSON reader does.)
    assert.deepEqual(Object.entries(rows[0].row as Json), [
      ['email', 'ann@gone.test'],
      ['__proto__', 'P'],
      ['email_3', 'other@gone.test'],
      ['tag', 'T'],
      ['email_2', 'X'],
    ]);
  });

  it("answers 404 for another tenant's job and 403 without the jobs scope", async () => {
    const res = await send({
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
      const other = await send({ method, url, headers: auth(keyB) });
      assert.equal(other.statusCode, 404, `${method} ${url}`);
      assert.match(String(other.headers['content-type']), /application\/problem\+json/);
    }
    const list = await send({ method: 'GET', url: '/v1/jobs', headers: auth(keyB) });
    assert.deepEqual((list.json() as Json).jobs, []);
    const denied = await send({
      method: 'GET',
      url: '/v1/jobs',
      headers: auth(keyVerifyOnly),
    });
    assert.equal(denied.statusCode, 403);
  });

  it('replays a job for the same Idempotency-Key and owner', async () => {
    const create = (key: string) =>
      send({
        method: 'POST',
        url: '/v1/jobs',
        headers: { ...auth(key), 'idempotency-key': 'import-42' },
        payload: { emails: ['y@ok.test'] },
      });
    const first = await create(keyA);
    const again = await create(keyA);
    const other = await create(keyB);
    assert.equal(first.statusCode, 201);
    assert.equal(again.statusCode, 200);
    assert.equal((again.json() as Json).job.id, (first.json() as Json).job.id);
    assert.equal(other.statusCode, 201);
    assert.notEqual((other.json() as Json).job.id, (first.json() as Json).job.id);
  });

  it('holds a JSON body to jobs.maxJsonBytes, below the CSV bound, and says so', async () => {
    const emails = Array.from(
      { length: 48 },
      (_, i) => `first.middle.last.family.name.number.${i}@ok.test`,
    );
    const json = JSON.stringify({ emails });
    assert.ok(json.length > 2048 && json.length < 4096, String(json.length));
    const before = (await send({ method: 'GET', url: '/v1/jobs', headers: auth(keyA) })).json().jobs
      .length as number;

    const refused = await send({
      method: 'POST',
      url: '/v1/jobs',
      headers: { ...auth(keyA), 'content-type': 'application/json' },
      payload: json,
    });
    assert.equal(refused.statusCode, 413, refused.body);
    assert.equal(refused.headers['content-type'], 'application/problem+json; charset=utf-8');
    const problem = refused.json() as Json;
    assert.equal(problem.type, 'urn:mailvet:problem:payload-too-large');
    assert.match(problem.detail, /limited to 2048 bytes \(jobs\.maxJsonBytes\).*CSV/);
    const after = (await send({ method: 'GET', url: '/v1/jobs', headers: auth(keyA) })).json().jobs
      .length as number;
    assert.equal(after, before, 'no job was made');

    // The same addresses as CSV are within the upload bound.
    const csv = await send({
      method: 'POST',
      url: '/v1/jobs?smtp=false',
      headers: { ...auth(keyA), 'content-type': 'text/csv' },
      payload: 'email\n' + emails.join('\n') + '\n',
    });
    assert.equal(csv.statusCode, 201, csv.body);
    assert.equal((csv.json() as Json).job.counts.total, 48);
  });

  it('refuses too many rows, too many bytes and a missing column as problem+json', async () => {
    const many = Array.from({ length: 51 }, (_, i) => `u${i}@ok.test`);
    const rows = await send({
      method: 'POST',
      url: '/v1/jobs',
      headers: auth(keyA),
      payload: { emails: many },
    });
    assert.equal(rows.statusCode, 413);
    const csvRows = await send({
      method: 'POST',
      url: '/v1/jobs',
      headers: { ...auth(keyA), 'content-type': 'text/csv' },
      payload: 'email\n' + many.join('\n') + '\n',
    });
    assert.equal(csvRows.statusCode, 413);
    const big = await send({
      method: 'POST',
      url: '/v1/jobs',
      headers: { ...auth(keyA), 'content-type': 'text/csv' },
      payload: 'email,pad\n' + `a@ok.test,${'x'.repeat(5000)}\n`,
    });
    assert.equal(big.statusCode, 413);
    assert.equal((big.json() as Json).type, 'urn:mailvet:problem:payload-too-large');
    const column = await send({
      method: 'POST',
      url: '/v1/jobs?column=mail',
      headers: { ...auth(keyA), 'content-type': 'text/csv' },
      payload: 'email\na@ok.test\n',
    });
    assert.equal(column.statusCode, 400);
    assert.match((column.json() as Json).detail, /no column named "mail"/);
    const bad = await send({
      method: 'POST',
      url: '/v1/jobs',
      headers: auth(keyA),
      payload: { emails: 'nope' },
    });
    assert.equal(bad.statusCode, 400);
  });

  const jobCount = async (key: string) =>
    ((await send({ method: 'GET', url: '/v1/jobs', headers: auth(key) })).json() as Json).jobs
      .length as number;

  // A client sends a large CSV, reading the answer while it sends. The import
  // fails early; the answer must reach the client while it is still
  // uploading, and the server must go on reading (and discarding) the upload,
  // so a client that sends its whole file before it stops (many read only
  // then) is not left blocked on a full socket until fastify's 300 s request
  // timeout, and the connection stays usable afterwards.
  const FILE_BYTES = 4 * 1024 * 1024;
  const csvHeaders = (key: string) => ({ ...auth(key), 'content-type': 'text/csv' });
  for (const [limit, head, row] of [
    ['row', 'email\n', (i: number) => `u${i}@ok.test\n`.repeat(1400)],
    ['byte', 'email,pad\n', (i: number) => `u${i}@ok.test,${'x'.repeat(4000)}\n`.repeat(4)],
  ] as const) {
    it(`answers a CSV upload over the ${limit} limit with 413 while the client still sends`, async () => {
      const before = await jobCount(keyA);
      const conn = await RawHttpConnection.open(port);
      try {
        const up = await streamedUpload(conn, {
          path: '/v1/jobs',
          headers: csvHeaders(keyA),
          head,
          chunk: row,
          bodyBytes: FILE_BYTES,
        });
        assert.equal(up.status, 413, up.body);
        assert.match(up.headers['content-type']!, /^application\/problem\+json/);
        assert.equal(JSON.parse(up.body).type, 'urn:mailvet:problem:payload-too-large');
        assert.equal(up.stillSending, true, 'answered before the client ended its upload');
        assert.ok(up.ms < 5000, `answered after ${up.ms} ms`);
        assert.ok(up.uploaded, 'the server read the rest of the upload');
        // The rest was discarded to its end: the same connection takes another request.
        assert.equal((await conn.get('/v1/jobs', auth(keyA))).status, 200);
        assert.equal(await jobCount(keyA), before, 'nothing kept');
      } finally {
        conn.close();
      }
    });
  }

  // A refusal before the body is read (a bad key) is bounded the same way;
  // without the route's hook Node would read such a body to its end.
  for (const [why, status, key] of [
    ['a failed import', 413, () => keyA],
    ['a bad key', 401, () => 'mv_not_a_key'],
    ['a key without the jobs scope', 403, () => keyVerifyOnly],
  ] as const) {
    it(`closes the connection of an upload going on past the discard bound after ${why}`, async () => {
      const piece = 'u@ok.test,' + 'x'.repeat(1000) + '\n';
      const conn = await RawHttpConnection.open(port);
      try {
        const up = await streamedUpload(conn, {
          path: '/v1/jobs',
          headers: csvHeaders(key()),
          head: 'email,pad\n',
          chunk: () => piece.repeat(64),
          bodyBytes: Infinity,
        });
        assert.equal(up.status, status, up.body);
        assert.match(up.headers['content-type']!, /^application\/problem\+json/);
        assert.equal(up.stillSending, true);
        assert.ok(up.bytesBefore < DISCARD_MAX_BYTES, 'answered long before the bound');
        assert.equal(up.closedWhileSending, true, 'the server closed the connection at its bound');
        assert.ok(up.bytesSent >= DISCARD_MAX_BYTES, `closed after ${up.bytesSent} bytes`);
      } finally {
        conn.close();
      }
    });
  }

  it('a JSON body streaming on past jobs.maxJsonBytes gets its 413 at once and is cut at the bound', async () => {
    const conn = await RawHttpConnection.open(port);
    try {
      const up = await streamedUpload(conn, {
        path: '/v1/jobs',
        headers: { ...auth(keyA), 'content-type': 'application/json' },
        head: '{"emails": ["',
        chunk: () => 'x'.repeat(1024),
        bodyBytes: Infinity,
      });
      assert.equal(up.status, 413, up.body);
      assert.match(JSON.parse(up.body).detail, /jobs\.maxJsonBytes/);
      assert.equal(up.stillSending, true);
      assert.equal(up.closedWhileSending, true, 'the connection was closed, not read forever');
      assert.ok(up.bytesSent < 64 * DISCARD_MAX_BYTES, `closed after ${up.bytesSent} bytes`);
    } finally {
      conn.close();
    }
  });

  it('replays an Idempotency-Key at once while the CSV is still arriving', async () => {
    const first = await send({
      method: 'POST',
      url: '/v1/jobs',
      headers: { ...csvHeaders(keyA), 'idempotency-key': 'stream-1' },
      payload: 'email\nr@ok.test\n',
    });
    assert.equal(first.statusCode, 201, first.body);
    const conn = await RawHttpConnection.open(port);
    try {
      const up = await streamedUpload(conn, {
        path: '/v1/jobs',
        headers: { ...csvHeaders(keyA), 'idempotency-key': 'stream-1' },
        head: 'email\n',
        chunk: (i) => `r${i}@ok.test\n`.repeat(1400),
        bodyBytes: FILE_BYTES,
      });
      assert.equal(up.status, 200, up.body);
      assert.equal(up.stillSending, true);
      assert.equal(JSON.parse(up.body).job.id, (first.json() as Json).job.id);
      assert.ok(up.uploaded);
      assert.equal((await conn.get('/v1/jobs', auth(keyA))).status, 200);
    } finally {
      conn.close();
    }
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
    const res = await send({
      method: 'POST',
      url: '/v1/jobs',
      headers: auth(keyA),
      payload: { emails },
    });
    const id = (res.json() as Json).job.id as string;
    const del = await send({ method: 'DELETE', url: `/v1/jobs/${id}`, headers: auth(keyA) });
    assert.equal(del.statusCode, 200);
    const job = del.json() as Json;
    assert.equal(job.state, 'cancelled');
    assert.equal(job.counts.skipped, 40);
    const skipped = await send({
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
    const res = await send({
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
        await send({ method: 'GET', url: `/v1/jobs/${job.id}`, headers: auth(keyA) })
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
