/**
 * What `server.trustProxy` values mean on a real server: a bare number is a
 * hop count (the nearest proxies' X-Forwarded-For entries are believed), not
 * an address. Clients reach the app as X-Forwarded-For from 127.0.0.1, the
 * proxy; the forwarded client is blocked, so 403 shows it was believed.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDialect } from '../store/dialects.js';
import { startHarness } from './fixtures/server-harness.js';

const BLOCKED = '203.0.113.7';
const FREE = '198.51.100.1';

forEachDialect('server.trustProxy hop counts', (ctx) => {
  async function statusVia(trustProxy: string, forwardedFor: string): Promise<number> {
    const h = await startHarness(ctx, {
      config: { 'server.blockCidrs': ['203.0.113.0/24'], 'server.trustProxy': trustProxy },
    });
    try {
      const res = await h.request({
        method: 'GET',
        url: '/health/live',
        headers: { 'x-forwarded-for': forwardedFor },
      });
      return res.statusCode;
    } finally {
      await h.close();
    }
  }

  it('100 trusts up to 100 hops (it is not the address 0.0.0.100)', async () => {
    assert.equal(await statusVia('100', BLOCKED), 403);
  });

  it('1 believes only the entry the nearest proxy added', async () => {
    assert.equal(await statusVia('1', `${FREE}, ${BLOCKED}`), 403);
    assert.equal(await statusVia('1', `${BLOCKED}, ${FREE}`), 200);
  });

  it('0 and false believe none', async () => {
    assert.equal(await statusVia('0', BLOCKED), 200);
    assert.equal(await statusVia('false', BLOCKED), 200);
  });
});
