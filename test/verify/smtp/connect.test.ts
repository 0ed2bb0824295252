import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo, Socket } from 'node:net';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { createSocketFactory } from '../../../src/verify/smtp/connect.js';
import { ConnectError } from '../../../src/verify/smtp/connect-errors.js';
import { startSocks5Server } from '../../world/socks5-server.js';

const BANNER = '220 loopback ESMTP test\r\n';

/** A real TCP server that greets like an SMTP server and records who connected. */
async function startPeer(host = '127.0.0.1') {
  const remotes: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    remotes.push(socket.remoteAddress ?? '');
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.write(BANNER);
  });
  server.listen(0, host);
  await once(server, 'listening');
  return {
    host,
    port: (server.address() as AddressInfo).port,
    remotes,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 with nothing listening. */
async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function readBanner(socket: Socket): Promise<string> {
  // A lost banner must fail the test, not hang it.
  socket.setTimeout(5000, () => socket.destroy());
  let text = '';
  for await (const chunk of socket) {
    text += String(chunk);
    if (text.includes('\r\n')) break;
  }
  return text;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ConnectError, `expected a ConnectError, got ${String(err)}`);
    return err.code;
  }
  assert.fail('expected the connection to fail');
}

test('loopback is refused by default and no connection is made', async () => {
  const peer = await startPeer();
  try {
    const connect = createSocketFactory();
    assert.equal(
      await codeOf(connect({ host: peer.host, port: peer.port })),
      'MV_ERR_UNROUTABLE_ADDRESS',
    );
    const err = await connect({ host: '::ffff:127.0.0.1', port: peer.port }).catch(
      (e: unknown) => e,
    );
    assert.equal((err as { range: string }).range, 'loopback');
    assert.equal(peer.remotes.length, 0);
  } finally {
    await peer.close();
  }
});

test('a host name resolving only to private addresses is refused', async () => {
  const peer = await startPeer();
  try {
    const connect = createSocketFactory({ lookup: async () => ['10.0.0.1', '127.0.0.1'] });
    assert.equal(
      await codeOf(connect({ host: 'mx.internal.test', port: peer.port })),
      'MV_ERR_UNROUTABLE_ADDRESS',
    );
    assert.equal(peer.remotes.length, 0);
  } finally {
    await peer.close();
  }
});

test('allowPrivate connects to loopback and returns a readable socket', async () => {
  const peer = await startPeer();
  try {
    const connect = createSocketFactory({ allowPrivate: true });
    const socket = await connect({ host: peer.host, port: peer.port });
    assert.equal(await readBanner(socket), BANNER);
    socket.destroy();
    assert.equal(peer.remotes.length, 1);
  } finally {
    await peer.close();
  }
});

test('the source address is bound and seen by the server', async () => {
  const peer = await startPeer();
  try {
    const connect = createSocketFactory({ allowPrivate: true, sourceAddress: '127.0.0.77' });
    const socket = await connect({ host: peer.host, port: peer.port });
    assert.equal(socket.localAddress, '127.0.0.77');
    await readBanner(socket);
    socket.destroy();
    assert.deepEqual(peer.remotes, ['127.0.0.77']);
  } finally {
    await peer.close();
  }
});

test('a closed port fails with MV_ERR_CONNECT_REFUSED', async () => {
  const connect = createSocketFactory({ allowPrivate: true });
  assert.equal(
    await codeOf(connect({ host: '127.0.0.1', port: await closedPort() })),
    'MV_ERR_CONNECT_REFUSED',
  );
});

test('an unbindable source address fails with MV_ERR_CONNECT_FAILED', async () => {
  const connect = createSocketFactory({ allowPrivate: true, sourceAddress: '192.0.2.1' });
  const err = await connect({ host: '127.0.0.1', port: await closedPort() }).catch(
    (e: unknown) => e,
  );
  assert.equal((err as ConnectError).code, 'MV_ERR_CONNECT_FAILED');
  assert.equal((err as { osCode: string }).osCode, 'EADDRNOTAVAIL');
});

test('an already aborted signal fails before any connection', async () => {
  const peer = await startPeer();
  try {
    const connect = createSocketFactory({ allowPrivate: true });
    const code = await codeOf(
      connect({ host: peer.host, port: peer.port, signal: AbortSignal.abort() }),
    );
    assert.equal(code, 'MV_ERR_CONNECT_ABORTED');
    assert.equal(peer.remotes.length, 0);
  } finally {
    await peer.close();
  }
});

test('bad options are rejected when the factory is built', () => {
  assert.throws(() => createSocketFactory({ proxy: 'http://127.0.0.1:8080' }), {
    code: 'MV_ERR_CONFIG',
  });
  assert.throws(() => createSocketFactory({ proxy: 'socks5://127.0.0.1' }), {
    code: 'MV_ERR_CONFIG',
  });
  assert.throws(() => createSocketFactory({ proxy: 'not a url' }), { code: 'MV_ERR_CONFIG' });
  assert.throws(() => createSocketFactory({ sourceAddress: 'eth0' }), { code: 'MV_ERR_CONFIG' });
  assert.throws(() => createSocketFactory({ connectTimeoutMs: 0 }), { code: 'MV_ERR_CONFIG' });
  assert.throws(() => createSocketFactory({ connectTimeoutMs: Number.NaN }), {
    code: 'MV_ERR_CONFIG',
  });
});

test('SOCKS5 without auth tunnels to the target', async () => {
  const peer = await startPeer();
  const proxy = await startSocks5Server();
  try {
    const connect = createSocketFactory({ allowPrivate: true, proxy: proxy.url });
    const socket = await connect({ host: peer.host, port: peer.port });
    assert.equal(await readBanner(socket), BANNER);
    socket.destroy();
    assert.equal(proxy.connections(), 1);
    assert.deepEqual(proxy.requests, [{ host: '127.0.0.1', port: peer.port, user: null }]);
    assert.equal(peer.remotes.length, 1);
  } finally {
    await proxy.close();
    await peer.close();
  }
});

test('SOCKS5 with user/password authenticates, and wrong credentials fail as MV_ERR_PROXY', async () => {
  const peer = await startPeer();
  const proxy = await startSocks5Server({ users: { mailvet: 's3cret:pw' } });
  try {
    const good = createSocketFactory({ allowPrivate: true, proxy: proxy.url });
    const socket = await good({ host: peer.host, port: peer.port });
    assert.equal(await readBanner(socket), BANNER);
    socket.destroy();
    assert.equal(proxy.requests[0].user, 'mailvet');

    const bad = createSocketFactory({
      allowPrivate: true,
      proxy: `socks5://mailvet:wrong@${proxy.host}:${proxy.port}`,
    });
    assert.equal(await codeOf(bad({ host: peer.host, port: peer.port })), 'MV_ERR_PROXY');
    assert.equal(proxy.requests.length, 1);
    assert.equal(peer.remotes.length, 1);
  } finally {
    await proxy.close();
    await peer.close();
  }
});

test('the SSRF check still applies to the target behind a proxy', async () => {
  const peer = await startPeer();
  const proxy = await startSocks5Server();
  try {
    const connect = createSocketFactory({ proxy: proxy.url });
    assert.equal(
      await codeOf(connect({ host: peer.host, port: peer.port })),
      'MV_ERR_UNROUTABLE_ADDRESS',
    );
    assert.equal(proxy.connections(), 0);
    assert.equal(peer.remotes.length, 0);
  } finally {
    await proxy.close();
    await peer.close();
  }
});

test('a banner arriving in the same packet as the SOCKS reply is not lost', async () => {
  const peer = await startPeer();
  const proxy = await startSocks5Server({ coalesceReplyWithFirstData: true });
  try {
    const connect = createSocketFactory({ allowPrivate: true, proxy: proxy.url });
    const socket = await connect({ host: peer.host, port: peer.port });
    // Let a few turns pass before reading, as a session doing other work might.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(await readBanner(socket), BANNER);
    socket.destroy();
  } finally {
    await proxy.close();
    await peer.close();
  }
});

test('a target refusing behind the proxy fails with MV_ERR_CONNECT_REFUSED', async () => {
  const proxy = await startSocks5Server();
  try {
    const connect = createSocketFactory({ allowPrivate: true, proxy: proxy.url });
    assert.equal(
      await codeOf(connect({ host: '127.0.0.1', port: await closedPort() })),
      'MV_ERR_CONNECT_REFUSED',
    );
  } finally {
    await proxy.close();
  }
});

test('an unreachable proxy fails with MV_ERR_PROXY', async () => {
  const connect = createSocketFactory({
    allowPrivate: true,
    proxy: `socks5://127.0.0.1:${await closedPort()}`,
  });
  assert.equal(await codeOf(connect({ host: '127.0.0.1', port: 25 })), 'MV_ERR_PROXY');
});

test('a proxy that never answers hits the connect timeout', async () => {
  const proxy = await startSocks5Server({ hang: true });
  try {
    const connect = createSocketFactory({
      allowPrivate: true,
      proxy: proxy.url,
      connectTimeoutMs: 200,
    });
    assert.equal(await codeOf(connect({ host: '127.0.0.1', port: 25 })), 'MV_ERR_CONNECT_TIMEOUT');
    assert.equal(proxy.requests.length, 1);
  } finally {
    await proxy.close();
  }
});

test('aborting during the SOCKS handshake fails with MV_ERR_CONNECT_ABORTED', async () => {
  const proxy = await startSocks5Server({ hang: true });
  try {
    const connect = createSocketFactory({ allowPrivate: true, proxy: proxy.url });
    const controller = new AbortController();
    const attempt = connect({ host: '127.0.0.1', port: 25, signal: controller.signal });
    while (proxy.requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    assert.equal(await codeOf(attempt), 'MV_ERR_CONNECT_ABORTED');
  } finally {
    await proxy.close();
  }
});
