import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachDialect } from '../store/dialects.js';
import { bearer, startHarness, type Harness } from './fixtures/server-harness.js';

forEachDialect('key routes', (ctx) => {
  let h: Harness;
  let admin: string;
  before(async () => {
    h = await startHarness(ctx);
    admin = await h.key({ scopes: ['admin'] });
  });
  after(() => h.close());

  it('POST /v1/keys creates a key whose secret is shown once and works', async () => {
    const res = await h.request({
      method: 'POST',
      url: '/v1/keys',
      headers: bearer(admin),
      payload: { name: 'ci', scopes: ['verify', 'jobs'], rate: '120/min', expiresIn: '30d' },
    });
    assert.equal(res.statusCode, 201);
    const body = res.json();
    h.secrets.push(body.key);
    assert.match(body.key, /^mv_live_/);
    assert.deepEqual(body.record.scopes, ['verify', 'jobs']);
    assert.deepEqual(body.record.rate, { limit: 120, windowSeconds: 60 });
    const list = await h.request({ method: 'GET', url: '/v1/keys', headers: bearer(admin) });
    assert.equal(list.statusCode, 200);
    const text = list.body;
    assert.ok(!text.includes(body.key), 'the list never holds a secret');
    assert.ok(!/hash/i.test(text), 'nor a hash');
    assert.ok(list.json().keys.some((k: { id: string }) => k.id === body.id));
    const verify = await h.request({
      method: 'POST',
      url: '/v1/verify',
      headers: bearer(body.key),
      payload: { email: 'a@nowhere.test' },
    });
    assert.equal(verify.statusCode, 200);
    assert.equal(verify.headers['ratelimit-policy'], '"key";q=120;w=60');
  });

  it('invalid key input is a 400 problem (unknown scope, bad rate, unknown field)', async () => {
    for (const payload of [
      { name: 'x', scopes: ['root'] },
      { name: 'x', scopes: ['verify'], rate: 'lots' },
      { name: 'x', scopes: ['verify'], owner: 'me' },
      { name: 'x', scopes: [] },
    ]) {
      const res = await h.request({
        method: 'POST',
        url: '/v1/keys',
        headers: bearer(admin),
        payload,
      });
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      assert.match(String(res.headers['content-type']), /problem\+json/);
    }
  });

  it('rotate and revoke of an unknown id are 404 problems', async () => {
    const rot = await h.request({
      method: 'POST',
      url: '/v1/keys/key_nope/rotate',
      headers: bearer(admin),
      payload: { graceSeconds: 0 },
    });
    assert.equal(rot.statusCode, 404);
    assert.equal(rot.json().type, 'urn:mailvet:problem:not-found');
    const del = await h.request({
      method: 'DELETE',
      url: '/v1/keys/key_nope',
      headers: bearer(admin),
    });
    assert.equal(del.statusCode, 404);
  });

  it('rotate requires graceSeconds as an integer (no coercion)', async () => {
    const created = await h.keyService.create({ name: 'r', scopes: ['verify'] });
    h.secrets.push(created.key);
    const res = await h.request({
      method: 'POST',
      url: `/v1/keys/${created.id}/rotate`,
      headers: bearer(admin),
      payload: { graceSeconds: '60' },
    });
    assert.equal(res.statusCode, 400);
  });
});
