import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachDialect } from '../store/dialects.js';
import { bearer, startHarness, type Harness } from './fixtures/server-harness.js';
import { listen, type RunningServer } from '../../src/server/listen.js';
import type { Verifier } from '../../src/verify/verifier-types.js';

const SLOW = 'slow.one@nowhere.test';

/** A verifier wrapper that holds SLOW's verification until `release()`. */
function gateSlow() {
  let release!: () => void;
  let arrived!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const slowArrived = new Promise<void>((resolve) => (arrived = resolve));
  const wrapVerifier = (real: Verifier): Verifier => ({
    verify: async (email, options) => {
      if (email === SLOW) {
        arrived();
        await gate;
      }
      return real.verify(email, options);
    },
    verifyMany: (emails, options) => real.verifyMany(emails, options),
    close: () => real.close(),
  });
  return { wrapVerifier, release, slowArrived };
}

forEachDialect('listen and graceful shutdown', (ctx) => {
  let h: Harness;
  let server: RunningServer;
  const { wrapVerifier, release, slowArrived } = gateSlow();
  const closed: string[] = [];

  before(async () => {
    // This test listens itself, through src/server/listen.ts.
    h = await startHarness(ctx, { wrapVerifier, listen: false });
    server = await listen(h.app, {
      host: '127.0.0.1',
      port: 0,
      handleSignals: false,
      resources: [{ name: 'probe', close: async () => void closed.push('probe') }],
    });
  });
  after(() => h.close());

  it('serves over a real socket with X-Request-Id', async () => {
    const res = await fetch(`${server.url}/health/live`);
    assert.equal(res.status, 200);
    assert.ok(res.headers.get('x-request-id'));
  });

  it('close() lets an in-flight request finish, refuses new connections, then closes resources', async () => {
    const secret = await h.key();
    const inflight = fetch(`${server.url}/v1/verify`, {
      method: 'POST',
      headers: { ...bearer(secret), 'content-type': 'application/json', connection: 'close' },
      body: JSON.stringify({ email: SLOW }),
    });
    await slowArrived;
    const closing = server.close();
    await new Promise((r) => setImmediate(r));
    await assert.rejects(fetch(`${server.url}/health/live`), 'no new connections while draining');
    assert.deepEqual(closed, [], 'resources stay open while a request is in flight');
    release();
    const res = await inflight;
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { email: string }).email, SLOW);
    await closing;
    await server.closed;
    assert.deepEqual(closed, ['probe']);
    await h.store.ping();
  });
});

forEachDialect('graceful shutdown past its timeout', (ctx) => {
  let h: Harness;
  const { wrapVerifier, release, slowArrived: stuckArrived } = gateSlow();

  before(async () => {
    h = await startHarness(ctx, { wrapVerifier, listen: false });
  });
  after(async () => {
    release();
    await h.close();
  });

  it('cuts a request still running at server.shutdownTimeoutMs, then closes the resources', async () => {
    const closed: string[] = [];
    const server = await listen(h.app, {
      host: '127.0.0.1',
      port: 0,
      handleSignals: false,
      shutdownTimeoutMs: 200,
      resources: [{ name: 'probe', close: async () => void closed.push('probe') }],
    });
    const secret = await h.key();
    const inflight = fetch(`${server.url}/v1/verify`, {
      method: 'POST',
      headers: { ...bearer(secret), 'content-type': 'application/json' },
      body: JSON.stringify({ email: SLOW }),
    });
    await stuckArrived;
    // The verification never ends by itself: without the timeout, close() would wait for it.
    let deadline: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      server.close().then(() => 'closed'),
      new Promise((resolve) => (deadline = setTimeout(() => resolve('still waiting'), 10_000))),
    ]);
    clearTimeout(deadline);
    assert.equal(outcome, 'closed');
    await assert.rejects(inflight, 'the stuck request lost its connection');
    assert.deepEqual(closed, ['probe']);
  });
});
