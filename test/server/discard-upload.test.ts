import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { discardUpload } from '../../src/server/discard-upload.js';
import { RawHttpConnection, streamedUpload } from './fixtures/streamed-upload.js';

// The byte bound and the kept connection are tested on the jobs route
// (jobs.test.ts); this is the time bound, which there would take 10 s.
let server: Server;
let port: number;
before(async () => {
  server = createServer((req, res) => {
    discardUpload(req, res, { maxBytes: 1 << 30, maxMs: 300 });
    res.statusCode = 413;
    res.setHeader('content-length', '2');
    res.end('no');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(() => new Promise((resolve) => server.close(resolve)));

it('closes the connection of a slow upload once the time bound has passed', async () => {
  const conn = await RawHttpConnection.open(port);
  try {
    const started = Date.now();
    const up = await streamedUpload(conn, {
      path: '/',
      headers: {},
      head: 'a',
      chunk: () => 'x'.repeat(100),
      intervalMs: 10,
      bodyBytes: Infinity,
      giveUpMs: 5000,
    });
    assert.equal(up.status, 413);
    assert.equal(up.stillSending, true);
    assert.equal(up.closedWhileSending, true);
    const ms = Date.now() - started;
    assert.ok(ms >= 300 && ms < 2000, `closed after ${ms} ms`);
  } finally {
    conn.close();
  }
});

it('keeps the connection of an upload that ends within the bounds', async () => {
  const conn = await RawHttpConnection.open(port);
  try {
    const up = await streamedUpload(conn, {
      path: '/',
      headers: {},
      head: 'a',
      chunk: () => 'x'.repeat(100),
      intervalMs: 5,
      bodyBytes: 2000,
    });
    assert.equal(up.status, 413);
    assert.equal(up.uploaded, true);
    assert.equal((await conn.get('/', {})).status, 413, 'the same connection takes a request');
  } finally {
    conn.close();
  }
});
