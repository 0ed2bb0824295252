import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deliverWebhook, type WebhookDelivery } from '../../src/jobs/webhook-sender.js';

/** Deadline given to each delivery; the dripping receiver writes far more often than this. */
const DEADLINE_MS = 400;
const DRIP_EVERY_MS = 40;

let server: Server;
let base: string;
/** What the receiver saw of each dripped answer: bytes written and whether the client hung up. */
const drips: { bytes: number; clientClosed: boolean }[] = [];

function drip(res: ServerResponse, head: boolean): void {
  const seen = { bytes: 0, clientClosed: false };
  drips.push(seen);
  // 1 byte per DRIP_EVERY_MS: reaching the 4 KiB response cap would take minutes.
  const text = head
    ? 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\n' + 'x'.repeat(8192)
    : 'x'.repeat(8192);
  if (!head) res.writeHead(200, { 'content-type': 'text/plain' }).flushHeaders();
  const socket = res.socket!;
  const timer = setInterval(() => {
    if (seen.bytes >= text.length) return clearInterval(timer);
    if (head) socket.write(text[seen.bytes]);
    else res.write(text[seen.bytes]);
    seen.bytes++;
  }, DRIP_EVERY_MS);
  socket.on('close', () => {
    seen.clientClosed = true;
    clearInterval(timer);
  });
}

before(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/fast') res.writeHead(204).end();
      else drip(res, req.url === '/drip-head');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

const delivery = (path: string): WebhookDelivery => ({
  url: base + path,
  body: '{"type":"job.completed"}',
  headers: {},
  timeoutMs: DEADLINE_MS,
  allowPrivate: true,
});

it('delivers to a receiver that answers promptly', async () => {
  assert.deepEqual(await deliverWebhook(delivery('/fast')), { ok: true, status: 204 });
});

for (const [path, what] of [
  ['/drip-body', 'the body of a 200 arrives'],
  ['/drip-head', 'the status line and headers arrive'],
] as const) {
  it(`fails at the total deadline when ${what} one byte at a time`, async () => {
    drips.length = 0;
    const outcome = await deliverWebhook(delivery(path));
    assert.deepEqual(outcome, {
      ok: false,
      error: `delivery not complete within ${DEADLINE_MS} ms`,
    });
    // The receiver never went quiet for as long as the deadline, so only a
    // total deadline ends this; the client hung up long before the 4 KiB cap.
    await new Promise((r) => setTimeout(r, DRIP_EVERY_MS * 3));
    assert.equal(drips.length, 1);
    assert.equal(drips[0].clientClosed, true);
    assert.ok(drips[0].bytes < 1024, `receiver dripped ${drips[0].bytes} bytes`);
  });
}
