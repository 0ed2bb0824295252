import type { AddressInfo, Server, Socket } from 'node:net';
import { connect as netConnect, createServer } from 'node:net';

/**
 * A small real SOCKS5 server (RFC 1928 CONNECT, RFC 1929 user/password) for
 * the test world: proves traffic really went through a proxy, records what
 * was asked of it, and can misbehave on purpose.
 */
export interface Socks5ServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** When set, only user/password auth with these credentials is accepted. */
  users?: Record<string, string>;
  /** Never answer the CONNECT request (for timeout and abort tests). */
  hang?: boolean;
  /**
   * Hold the success reply until the target's first bytes arrive and send
   * both in one write, as a fast proxy + fast SMTP banner can on the wire.
   */
  coalesceReplyWithFirstData?: boolean;
}

export interface Socks5Request {
  host: string;
  port: number;
  user: string | null;
}

export interface Socks5Server {
  host: string;
  port: number;
  /** `socks5://[user:pass@]host:port` for the first configured user. */
  url: string;
  /** Client connections accepted so far. */
  connections(): number;
  /** CONNECT requests received, in order. */
  requests: Socks5Request[];
  close(): Promise<void>;
}

const VERSION = 0x05;
const AUTH_NONE = 0x00;
const AUTH_USERPASS = 0x02;
const AUTH_UNACCEPTABLE = 0xff;
const REPLY = {
  ok: 0x00,
  failure: 0x01,
  netUnreachable: 0x03,
  hostUnreachable: 0x04,
  refused: 0x05,
};
const MAX_HANDSHAKE_BYTES = 1024;

/** Reads exactly n bytes, keeping any surplus for the next read. */
class ByteReader {
  private buffer = Buffer.alloc(0);
  private waiting: (() => void) | null = null;
  private ended = false;
  constructor(private readonly socket: Socket) {
    socket.on('data', this.onData);
    socket.once('close', () => {
      this.ended = true;
      this.waiting?.();
    });
  }
  private onData = (chunk: Buffer) => {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    if (this.buffer.length > MAX_HANDSHAKE_BYTES) this.socket.destroy();
    this.waiting?.();
  };
  async read(n: number): Promise<Buffer> {
    while (this.buffer.length < n) {
      if (this.ended) throw new Error('client went away');
      await new Promise<void>((resolve) => (this.waiting = resolve));
      this.waiting = null;
    }
    const out = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(n);
    return out;
  }
  /** Stop reading; returns bytes the client already sent past the handshake. */
  detach(): Buffer {
    this.socket.off('data', this.onData);
    return this.buffer;
  }
}

function replyFor(code: string | undefined): number {
  if (code === 'ECONNREFUSED') return REPLY.refused;
  if (code === 'EHOSTUNREACH') return REPLY.hostUnreachable;
  if (code === 'ENETUNREACH') return REPLY.netUnreachable;
  return REPLY.failure;
}

function reply(code: number): Buffer {
  return Buffer.from([VERSION, code, 0x00, 0x01, 0, 0, 0, 0, 0, 0]);
}

async function readDestination(reader: ByteReader): Promise<{ host: string; port: number }> {
  const [ver, cmd, , atyp] = await reader.read(4);
  if (ver !== VERSION || cmd !== 0x01) throw new Error('only SOCKS5 CONNECT is supported');
  let host: string;
  if (atyp === 0x01) host = [...(await reader.read(4))].join('.');
  else if (atyp === 0x03) host = (await reader.read((await reader.read(1))[0])).toString('latin1');
  else if (atyp === 0x04) {
    const b = await reader.read(16);
    host = Array.from({ length: 8 }, (_, i) => b.readUInt16BE(i * 2).toString(16)).join(':');
  } else throw new Error(`unknown address type ${atyp}`);
  return { host, port: (await reader.read(2)).readUInt16BE(0) };
}

async function serve(
  client: Socket,
  options: Socks5ServerOptions,
  requests: Socks5Request[],
  open: Set<Socket>,
): Promise<void> {
  const reader = new ByteReader(client);
  const [ver, count] = await reader.read(2);
  const methods = [...(await reader.read(count))];
  if (ver !== VERSION) throw new Error('not SOCKS5');
  const wanted = options.users ? AUTH_USERPASS : AUTH_NONE;
  if (!methods.includes(wanted)) {
    client.end(Buffer.from([VERSION, AUTH_UNACCEPTABLE]));
    return;
  }
  client.write(Buffer.from([VERSION, wanted]));
  let user: string | null = null;
  if (options.users) {
    await reader.read(1); // sub-negotiation version 0x01
    const name = (await reader.read((await reader.read(1))[0])).toString('utf8');
    const pass = (await reader.read((await reader.read(1))[0])).toString('utf8');
    const ok = Object.hasOwn(options.users, name) && options.users[name] === pass;
    client.write(Buffer.from([0x01, ok ? 0x00 : 0x01]));
    if (!ok) return void client.end();
    user = name;
  }
  const dest = await readDestination(reader);
  requests.push({ ...dest, user });
  if (options.hang) return;
  const upstream = netConnect({ host: dest.host, port: dest.port });
  open.add(upstream);
  upstream.once('close', () => open.delete(upstream));
  upstream.on('error', (err: NodeJS.ErrnoException) => {
    if (!client.destroyed) client.end(reply(replyFor(err.code)));
  });
  upstream.once('connect', () => {
    const early = reader.detach();
    if (early.length > 0) upstream.write(early);
    const splice = () => {
      client.pipe(upstream);
      upstream.pipe(client);
    };
    if (!options.coalesceReplyWithFirstData) {
      client.write(reply(REPLY.ok));
      return splice();
    }
    upstream.once('data', (first: Buffer) => {
      client.write(Buffer.concat([reply(REPLY.ok), first]));
      splice();
    });
  });
  client.once('close', () => upstream.destroy());
}

/** Starts the proxy; `close()` ends every tunnel and the listener. */
export async function startSocks5Server(options: Socks5ServerOptions = {}): Promise<Socks5Server> {
  const requests: Socks5Request[] = [];
  const open = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((client) => {
    accepted += 1;
    open.add(client);
    client.once('close', () => open.delete(client));
    client.on('error', () => undefined);
    serve(client, options, requests, open).catch(() => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const first = options.users ? Object.entries(options.users)[0] : undefined;
  const auth = first ? `${encodeURIComponent(first[0])}:${encodeURIComponent(first[1])}@` : '';
  return {
    host: address,
    port,
    url: `socks5://${auth}${address}:${port}`,
    connections: () => accepted,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
