import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { after, before, it } from 'node:test';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { forEachDialect } from '../store/dialects.js';
import { httpRequest, type HttpRequestOptions } from './fixtures/server-harness.js';
import { defaultConfig } from '../../src/config.js';
import { buildApp } from '../../src/server/app.js';
import { createKeyService } from '../../src/server/keys/key-service.js';
import { createDefaultVerifier } from '../../src/verify/default-verifier.js';
import type { Verifier } from '../../src/verify/verifier-types.js';
import { RawHttpConnection, streamedUpload } from './fixtures/streamed-upload.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const BOUNDARY = '----mailvet-test-boundary';

type Part =
  | { name: string; value: string }
  | { name: string; filename: string; type?: string; content: string };

/** A multipart/form-data body, parts in the given order. */
function form(parts: Part[]): { payload: Buffer; headers: Record<string, string> } {
  let body = '';
  for (const p of parts) {
    body += `--${BOUNDARY}\r\n`;
    if ('value' in p) {
      body += `content-disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`;
    } else {
      body += `content-disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\n`;
      if (p.type) body += `content-type: ${p.type}\r\n`;
      body += `\r\n${p.content}\r\n`;
    }
  }
  body += `--${BOUNDARY}--\r\n`;
  return {
    payload: Buffer.from(body),
    headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
  };
}

const CSV = 'name,mail\nAnn,ann@ok.test\nBob,bob@ok.test\n';

forEachDialect('jobs API, multipart upload', (d) => {
  let app: FastifyInstance;
  let verifier: Verifier;
  let key: string;
  let port: number;
  const agent = new Agent({ keepAlive: true });
  /** A request over real HTTP to the listening app. */
  const send = (o: HttpRequestOptions) => httpRequest(port, agent, o);

  before(async () => {
    const config = defaultConfig({
      'smtp.enabled': false,
      'jobs.maxRows': 50,
      'jobs.maxUploadBytes': 4096,
      'jobs.workers': 0,
      logLevel: 'silent',
    });
    const store = await d.open();
    verifier = createDefaultVerifier(config);
    const keyService = createKeyService(store);
    app = await buildApp({ config, verifier, store, keyService });
    key = (await keyService.create({ name: 'm', scopes: ['jobs'] })).key;
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
  });
  after(async () => {
    agent.destroy();
    await app.close();
    await verifier.close();
  });

  const post = (parts: Part[], url = '/v1/jobs') => {
    const { payload, headers } = form(parts);
    return send({
      method: 'POST',
      url,
      headers: { ...headers, authorization: `Bearer ${key}` },
      payload,
    });
  };
  const jobCount = async () =>
    (
      (
        await send({
          method: 'GET',
          url: '/v1/jobs',
          headers: { authorization: `Bearer ${key}` },
        })
      ).json() as Json
    ).jobs.length as number;

  it('creates a job from a CSV file part with option fields before it', async () => {
    const res = await post([
      { name: 'column', value: 'MAIL' },
      { name: 'smtp', value: 'false' },
      { name: 'file', filename: 'list.csv', type: 'text/csv', content: CSV },
    ]);
    assert.equal(res.statusCode, 201, res.body);
    const { job } = res.json() as Json;
    assert.deepEqual(job.columns, ['name', 'mail']);
    assert.equal(job.emailColumn, 1);
    assert.equal(job.counts.total, 2);
    assert.deepEqual(job.options, { smtp: false });
    const out = await send({
      method: 'GET',
      url: `/v1/jobs/${job.id}/results?format=csv`,
      headers: { authorization: `Bearer ${key}` },
    });
    assert.match(out.body.split('\n')[1], /^Ann,ann@ok.test,1,pending/);
  });

  it('accepts a generic binary part named .csv, and the column from the query', async () => {
    const res = await post(
      [{ name: 'file', filename: 'export.CSV', type: 'application/octet-stream', content: CSV }],
      '/v1/jobs?column=mail',
    );
    assert.equal(res.statusCode, 201, res.body);
    assert.equal((res.json() as Json).job.emailColumn, 1);
  });

  it('refuses an oversize file with 413 problem+json and keeps nothing', async () => {
    const before = await jobCount();
    const big = 'email,pad\n' + `a@ok.test,${'x'.repeat(5000)}\n`;
    const res = await post([{ name: 'file', filename: 'big.csv', type: 'text/csv', content: big }]);
    assert.equal(res.statusCode, 413, res.body);
    assert.match(String(res.headers['content-type']), /application\/problem\+json/);
    assert.equal((res.json() as Json).type, 'urn:mailvet:problem:payload-too-large');
    assert.equal(await jobCount(), before);
  });

  it('refuses a file part that is not CSV with 415 problem+json', async () => {
    const before = await jobCount();
    const res = await post([
      { name: 'file', filename: 'photo.png', type: 'image/png', content: '\u0089PNG\r\n' },
    ]);
    assert.equal(res.statusCode, 415, res.body);
    assert.match(String(res.headers['content-type']), /application\/problem\+json/);
    assert.equal((res.json() as Json).type, 'urn:mailvet:problem:unsupported-media-type');
    assert.equal(await jobCount(), before);
  });

  it('refuses a form without a file, with unknown fields, or a bad option as 400', async () => {
    for (const parts of [
      [{ name: 'column', value: 'mail' }],
      [
        { name: 'evil', value: '1' },
        { name: 'file', filename: 'l.csv', type: 'text/csv', content: CSV },
      ],
      [
        { name: 'smtp', value: 'yes' },
        { name: 'file', filename: 'l.csv', type: 'text/csv', content: CSV },
      ],
      [{ name: 'upload', filename: 'l.csv', type: 'text/csv', content: CSV }],
    ] satisfies Part[][]) {
      const res = await post(parts);
      assert.equal(res.statusCode, 400, `${JSON.stringify(parts[0])}: ${res.body}`);
      assert.match(String(res.headers['content-type']), /application\/problem\+json/);
    }
  });

  it('ignores parts after the file: a second file does not change the job', async () => {
    const res = await post([
      { name: 'column', value: 'mail' },
      { name: 'file', filename: 'a.csv', type: 'text/csv', content: CSV },
      { name: 'file', filename: 'b.csv', type: 'text/csv', content: CSV },
    ]);
    assert.equal(res.statusCode, 201, res.body);
    assert.equal((res.json() as Json).job.counts.total, 2);
  });

  // As for a text/csv body (jobs.test.ts): the answer reaches a client still
  // sending its form, the rest of the form is read and thrown away, and the
  // connection takes the next request.
  const FILE_BYTES = 4 * 1024 * 1024;
  const filePart = (type: string, first: string) =>
    `--${BOUNDARY}\r\ncontent-disposition: form-data; name="file"; filename="l.csv"\r\n` +
    `content-type: ${type}\r\n\r\n${first}`;
  for (const [what, status, head, row, extra] of [
    ['too many rows', 413, filePart('text/csv', 'email\n'), (i: number) => `u${i}@ok.test\n`, {}],
    [
      'too many bytes',
      413,
      filePart('text/csv', 'email,pad\n'),
      (i: number) => `u${i}@ok.test,${'x'.repeat(300)}\n`,
      {},
    ],
    ['a file that is not CSV', 415, filePart('image/png', ''), () => 'x'.repeat(12), {}],
    [
      'a replayed Idempotency-Key',
      200,
      filePart('text/csv', 'email\n'),
      (i: number) => `r${i}@ok.test\n`,
      { 'idempotency-key': 'form-1' },
    ],
  ] as const) {
    it(`answers ${what} with ${status} while the form is still arriving`, async () => {
      const headers = {
        authorization: `Bearer ${key}`,
        'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
        ...extra,
      };
      if (status === 200) {
        const { payload } = form([
          { name: 'file', filename: 'l.csv', type: 'text/csv', content: CSV },
        ]);
        const made = await send({ method: 'POST', url: '/v1/jobs', headers, payload });
        assert.equal(made.statusCode, 201, made.body);
      }
      const before = await jobCount();
      const conn = await RawHttpConnection.open(port);
      try {
        const up = await streamedUpload(conn, {
          path: '/v1/jobs',
          headers,
          head,
          chunk: (i) => row(i).repeat(1400),
          bodyBytes: FILE_BYTES,
          tail: `\r\n--${BOUNDARY}--\r\n`,
        });
        assert.equal(up.status, status, up.body);
        if (status !== 200)
          assert.match(up.headers['content-type']!, /^application\/problem\+json/);
        assert.equal(up.stillSending, true, 'answered before the client ended its upload');
        assert.ok(up.ms < 5000, `answered after ${up.ms} ms`);
        assert.ok(up.uploaded, 'the server read the rest of the form');
        const next = await conn.get('/v1/jobs', { authorization: `Bearer ${key}` });
        assert.equal(next.status, 200, 'the connection takes the next request');
        assert.equal(await jobCount(), before, 'nothing kept');
      } finally {
        conn.close();
      }
    });
  }
});
