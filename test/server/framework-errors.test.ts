/**
 * Requests refused before any route runs — by fastify's router (a path that
 * is not valid percent-encoding, a parameter over maxParamLength) or by
 * Node's HTTP parser (headers too large, a malformed request line) — still
 * get RFC 9457 problem+json with a request id, never an echo of the raw
 * path; the router's refusals also pass the IP block first and leave an
 * audit row. Spoken over raw sockets, so the bytes on the wire are exactly
 * the test's.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachDialect } from '../store/dialects.js';
import { startHarness, type Harness } from './fixtures/server-harness.js';
import { RawHttpConnection, type RawResponse } from './fixtures/streamed-upload.js';

const LONG_ID = 'k'.repeat(200);
const BAD_ESCAPE = '/v1/keys/%E0%A4%A';

forEachDialect('errors raised before routing are problem+json', (ctx) => {
  let h: Harness;
  let port: number;
  const open: RawHttpConnection[] = [];
  before(async () => {
    h = await startHarness(ctx, {
      config: {
        'server.blockCidrs': ['127.61.0.0/16', '203.0.113.0/24'],
        'server.trustProxy': '127.0.0.1',
      },
    });
    port = Number(new URL(h.url!).port);
  });
  after(async () => {
    for (const c of open) c.close();
    await h.close();
  });

  /** One request head written by hand; the response read off the wire. */
  async function raw(
    method: string,
    path: string,
    headers: Record<string, string> = {},
    localAddress?: string,
  ): Promise<RawResponse> {
    const conn = await RawHttpConnection.open(port, localAddress);
    open.push(conn);
    conn.writeHead(method, path, headers);
    return conn.response();
  }

  function assertProblem(res: RawResponse, status: number, type: string): Record<string, unknown> {
    assert.equal(res.status, status, res.body);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json(;|$)/);
    const body = JSON.parse(res.body) as Record<string, unknown>;
    assert.equal(body.status, status);
    assert.equal(body.type, type);
    assert.equal(typeof body.title, 'string');
    assert.equal(typeof body.detail, 'string');
    assert.match(String(res.headers['x-request-id']), /^[A-Za-z0-9._:-]{1,128}$/);
    assert.equal(body.instance, res.headers['x-request-id']);
    return body;
  }

  async function auditRow(requestId: string) {
    await h.app.flushAudit();
    const rows = (await h.store.audit.query({ limit: 1000 })).entries;
    return rows.find((r) => r.requestId === requestId);
  }

  it('a path parameter over the length limit: 404 not-found, the path not echoed, audited', async () => {
    const res = await raw('DELETE', `/v1/keys/${LONG_ID}`);
    assertProblem(res, 404, 'urn:mailvet:problem:not-found');
    assert.ok(!res.body.includes('kkkk'), `echoes the path: ${res.body}`);
    const row = await auditRow(res.headers['x-request-id']!);
    assert.ok(row, 'an audit row with the request id');
    assert.equal(row.status, 404);
    assert.equal(row.method, 'DELETE');
    assert.equal(row.ip, '127.0.0.1');
  });

  it('a path that is not valid percent-encoding: 400 invalid-request, not echoed, audited', async () => {
    const res = await raw('DELETE', BAD_ESCAPE, { 'x-request-id': 'client-corr-1' });
    const body = assertProblem(res, 400, 'urn:mailvet:problem:invalid-request');
    assert.equal(body.instance, 'client-corr-1', "the caller's sane request id is kept");
    assert.ok(!res.body.includes('%E0'), `echoes the path: ${res.body}`);
    const row = await auditRow('client-corr-1');
    assert.equal(row?.status, 400);
  });

  it('a blocked client gets 403 ip-blocked for those too (directly and via the trusted proxy)', async () => {
    for (const [path, headers, from] of [
      [BAD_ESCAPE, {}, '127.61.0.5'],
      [`/v1/keys/${LONG_ID}`, {}, '127.61.0.5'],
      [BAD_ESCAPE, { 'x-forwarded-for': '203.0.113.9' }, '127.0.0.1'],
      [`/v1/keys/${LONG_ID}`, { 'x-forwarded-for': '203.0.113.9' }, '127.0.0.1'],
    ] as const) {
      const res = await raw('DELETE', path, headers, from);
      assertProblem(res, 403, 'urn:mailvet:problem:ip-blocked');
      const row = await auditRow(res.headers['x-request-id']!);
      assert.equal(row?.status, 403);
      assert.equal(row?.ip, headers['x-forwarded-for' as keyof typeof headers] ?? from);
    }
  });

  it('a request head over the size limit (60 kB query): 431 problem+json with a request id', async () => {
    const res = await raw('GET', `/v1/verify?email=${'a'.repeat(60_000)}`);
    const body = assertProblem(res, 431, 'about:blank');
    assert.equal(body.title, 'Request Header Fields Too Large');
    assert.ok(!res.body.includes('aaaa'));
    assert.ok(
      h.logs.some((l) => l.includes(String(body.instance)) && l.includes('HPE_HEADER_OVERFLOW')),
      'the log line carries the request id',
    );
  });

  it('a malformed request line: 400 problem+json with a request id, connection closed', async () => {
    const conn = await RawHttpConnection.open(port);
    open.push(conn);
    conn.socket.write('GET /health/live HTTP/1.1 trailing-garbage\r\nhost: x\r\n\r\n');
    const res = await conn.response();
    assertProblem(res, 400, 'about:blank');
    assert.equal(res.headers['connection'], 'close');
  });

  it('ordinary requests are unchanged', async () => {
    const res = await raw('GET', '/health/live');
    assert.equal(res.status, 200);
    const missing = await raw('GET', '/no/such/route');
    const body = assertProblem(missing, 404, 'urn:mailvet:problem:not-found');
    assert.equal(body.detail, 'no route for GET /no/such/route');
  });
});
