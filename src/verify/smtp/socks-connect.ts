import type { Socket } from 'node:net';
import { isIP } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { SocksClient } from 'socks';
import { ConfigError } from '../../errors.js';
import { ConnectFailedError, ConnectRefusedError, ProxyError } from './connect-errors.js';

/** A parsed `socks5://[user:pass@]host:port` proxy address. */
export interface Socks5Proxy {
  host: string;
  port: number;
  username: string | null;
  password: string | null;
}

// RFC 1929 carries user name and password as one length byte each.
const MAX_CREDENTIAL_BYTES = 255;

/**
 * Parses a proxy URL. Only `socks5://` (and `socks5h://`, treated the same
 * since mailvet always hands the proxy an already-resolved IP) is accepted.
 * Throws ConfigError with the reason otherwise.
 */
export function parseSocks5Url(url: string): Socks5Proxy {
  // Error messages name the proxy without its credentials: they end up in
  // logs and terminals, and the password is a secret (docs/security.md).
  const shown = redactProxyUrl(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`proxy "${shown}" is not a URL; expected socks5://[user:pass@]host:port`);
  }
  if (parsed.protocol !== 'socks5:' && parsed.protocol !== 'socks5h:') {
    throw new ConfigError(`proxy protocol ${parsed.protocol} is not supported; use socks5://`);
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(parsed.port);
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError(
      `proxy "${shown}" needs a host and an explicit port (socks5://host:1080)`,
    );
  }
  if (parsed.pathname !== '' && parsed.pathname !== '/') {
    throw new ConfigError(`proxy "${shown}" must not have a path`);
  }
  const username = decodeCredential(parsed.username);
  const password = decodeCredential(parsed.password);
  if ((username === null) !== (password === null)) {
    throw new ConfigError('proxy credentials need both a user name and a password');
  }
  for (const part of [username, password]) {
    if (part !== null && Buffer.byteLength(part) > MAX_CREDENTIAL_BYTES) {
      throw new ConfigError(`proxy credentials are limited to ${MAX_CREDENTIAL_BYTES} bytes each`);
    }
  }
  return { host, port, username, password };
}

/** Percent-decode a URL user name or password; a bad escape is a config error, not a crash. */
function decodeCredential(encoded: string): string | null {
  if (!encoded) return null;
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw new ConfigError('proxy credentials hold a malformed percent-escape (use %XX)');
  }
}

/**
 * The proxy URL with any `user:password@` part replaced by `***@`, for
 * messages. Works on text that does not even parse as a URL.
 */
export function redactProxyUrl(url: string): string {
  // Up to the LAST `@`: a password may itself hold `@`, `/` or `#` unescaped.
  return String(url).replace(/^([a-z][a-z0-9+.-]*:\/\/)?.*@/is, (_m, scheme?: string) => {
    return `${scheme ?? ''}***@`;
  });
}

/** The proxy address as logs may show it: never the password. */
export function describeProxy(proxy: Socks5Proxy): string {
  const host = isIP(proxy.host) === 6 ? `[${proxy.host}]` : proxy.host;
  return `socks5://${proxy.username ? `${proxy.username}@` : ''}${host}:${proxy.port}`;
}

// Reply texts the socks package appends to "Socks5 proxy rejected connection - …".
const REFUSED = /ConnectionRefused/;
const UNREACHABLE = /(HostUnreachable|NetworkUnreachable|TTLExpired)/;

/**
 * Runs the SOCKS5 CONNECT handshake on `proxySocket` (already connected to the
 * proxy) for `ip:port`. Resolves with the same socket, now a tunnel to the
 * target, in the state a fresh `net.connect` socket is in: paused-by-default
 * with any bytes the target already sent (an SMTP banner arriving with the
 * proxy's reply) still buffered for the caller's first reader.
 *
 * Timeouts and aborts are the caller's job: destroying `proxySocket` makes
 * this reject.
 */
export async function socks5Handshake(
  proxySocket: Socket,
  proxy: Socks5Proxy,
  ip: string,
  port: number,
  timeoutMs: number,
): Promise<Socket> {
  try {
    await SocksClient.createConnection({
      command: 'connect',
      destination: { host: ip, port },
      proxy: {
        host: proxy.host,
        port: proxy.port,
        type: 5,
        ...(proxy.username !== null
          ? { userId: proxy.username, password: proxy.password ?? '' }
          : {}),
      },
      existing_socket: proxySocket,
      timeout: timeoutMs,
    });
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    if (REFUSED.test(detail)) throw new ConnectRefusedError(ip, port, { cause: err });
    if (UNREACHABLE.test(detail)) {
      throw new ConnectFailedError(ip, port, `proxy reports ${detail}`, null, { cause: err });
    }
    throw new ProxyError(ip, port, detail, { cause: err });
  }
  return settleTunnel(proxySocket);
}

/**
 * After the handshake the socks package pauses the socket, then on the next
 * turn re-emits bytes that came with the proxy's reply and resumes it — so
 * they would be lost unless someone listens right then. Collect them across
 * that turn, push them back into the stream, and return the socket to the
 * "no reader yet" state (flowing = null) a direct connection starts in.
 */
async function settleTunnel(socket: Socket): Promise<Socket> {
  const early: Buffer[] = [];
  const collect = (chunk: Buffer) => early.push(chunk);
  socket.on('data', collect);
  await nextTurn();
  socket.off('data', collect);
  socket.pause();
  if (early.length > 0) socket.unshift(Buffer.concat(early));
  // Adding then removing a 'readable' listener with no 'data' listener left
  // resets readableFlowing to null, so the caller's first listener starts the flow.
  const noop = () => undefined;
  socket.on('readable', noop);
  socket.off('readable', noop);
  return socket;
}
