import type { Socket } from 'node:net';
import { connect as netConnect, isIP } from 'node:net';
import { lookup as dnsLookup } from 'node:dns/promises';
import { ConfigError } from '../../errors.js';
import { addressRange, PUBLIC_RANGE } from './address-policy.js';
import type { ConnectError } from './connect-errors.js';
import {
  ConnectAbortedError,
  ConnectFailedError,
  ConnectRefusedError,
  ConnectTimeoutError,
  ProxyError,
  UnroutableAddressError,
} from './connect-errors.js';
import type { ConnectTarget, SocketFactory } from './socket-factory.js';
import type { Socks5Proxy } from './socks-connect.js';
import { parseSocks5Url, socks5Handshake } from './socks-connect.js';

/** Budget for TCP connect (+ SOCKS5 handshake) when none is configured. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Upper bound on `connectTimeoutMs`; beyond this a typo is likelier than intent. */
export const MAX_CONNECT_TIMEOUT_MS = 5 * 60_000;

/** Resolves a host name to its addresses (only used when a target is not an IP). */
export type HostLookup = (hostname: string) => Promise<string[]>;

export interface SocketFactoryOptions {
  /**
   * Dial loopback, private, link-local, CGNAT, reserved and metadata addresses
   * too. TESTS ONLY: in production this turns the verifier into an internal
   * port scanner for anyone who can publish an MX record. Default false.
   */
  allowPrivate?: boolean;
  /** Local IP to bind outgoing connections to (the IP mail hosts will see). */
  sourceAddress?: string | null;
  /**
   * `socks5://[user:pass@]host:port`. The proxy is trusted operator config and
   * may be private; the target IP handed to it is still checked by the policy.
   */
  proxy?: string | null;
  /** Covers TCP connect and the SOCKS5 handshake. Default DEFAULT_CONNECT_TIMEOUT_MS. */
  connectTimeoutMs?: number;
  /** Used only for targets given as host names. Default: the system resolver. */
  lookup?: HostLookup;
}

async function systemLookup(hostname: string): Promise<string[]> {
  const answers = await dnsLookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => a.address);
}

function validateOptions(options: SocketFactoryOptions): {
  allowPrivate: boolean;
  sourceAddress: string | null;
  proxy: Socks5Proxy | null;
  timeoutMs: number;
  lookup: HostLookup;
} {
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_CONNECT_TIMEOUT_MS) {
    throw new ConfigError(
      `connectTimeoutMs must be an integer from 1 to ${MAX_CONNECT_TIMEOUT_MS}, got ${timeoutMs}`,
    );
  }
  const sourceAddress = options.sourceAddress || null;
  if (sourceAddress !== null && isIP(sourceAddress) === 0) {
    throw new ConfigError(`sourceAddress must be an IP address, got "${sourceAddress}"`);
  }
  return {
    allowPrivate: options.allowPrivate === true,
    sourceAddress,
    proxy: options.proxy ? parseSocks5Url(options.proxy) : null,
    timeoutMs,
    lookup: options.lookup ?? systemLookup,
  };
}

/**
 * Builds the SocketFactory every SMTP session connects through. One place
 * decides where mailvet may connect (design.md §5): the target's resolved IP
 * is checked against the address policy immediately before dialling, so a
 * refused address never sees a packet. Then it binds the source address,
 * tunnels through SOCKS5 when configured, and enforces the connect timeout
 * and the caller's AbortSignal.
 *
 * The returned socket has no listeners and TCP_NODELAY set; the caller owns it.
 * Failures reject with a ConnectError subclass (stable `code`).
 */
export function createSocketFactory(options: SocketFactoryOptions = {}): SocketFactory {
  const opts = validateOptions(options);

  return async function connectSocket(target: ConnectTarget): Promise<Socket> {
    const { port, signal } = target;
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new ConnectFailedError(target.host, port, 'invalid port', null);
    }
    if (signal?.aborted) throw new ConnectAbortedError(target.host, port, { cause: signal.reason });

    const deadline = AbortSignal.timeout(opts.timeoutMs);
    const stop = signal ? AbortSignal.any([signal, deadline]) : deadline;
    const failure = (address: string) =>
      deadline.aborted
        ? new ConnectTimeoutError(address, port, opts.timeoutMs)
        : new ConnectAbortedError(address, port, { cause: signal?.reason });

    const ip = await raceAbort(resolveTarget(target.host, port, opts), stop, () =>
      failure(target.host),
    );
    // The check that matters: on the exact IP about to be dialled.
    const range = addressRange(ip);
    if (!opts.allowPrivate && range !== PUBLIC_RANGE) {
      throw new UnroutableAddressError(ip, port, range);
    }

    if (!opts.proxy) {
      const socket = await openTcp(ip, port, opts.sourceAddress, opts.timeoutMs, stop, () =>
        failure(ip),
      );
      socket.setNoDelay(true);
      return socket;
    }

    const proxy = opts.proxy;
    const proxySocket = await openTcp(
      proxy.host,
      proxy.port,
      opts.sourceAddress,
      opts.timeoutMs,
      stop,
      () => failure(ip),
    ).catch((err: unknown) => {
      // Not reaching the proxy is the proxy's fault, not the mail host's.
      if (err instanceof ConnectTimeoutError || err instanceof ConnectAbortedError) throw err;
      throw new ProxyError(ip, port, err instanceof Error ? err.message : String(err), {
        cause: err,
      });
    });
    const onStop = () => proxySocket.destroy();
    stop.addEventListener('abort', onStop, { once: true });
    try {
      const tunnel = await raceAbort(
        socks5Handshake(proxySocket, proxy, ip, port, opts.timeoutMs),
        stop,
        () => failure(ip),
      );
      tunnel.setNoDelay(true);
      return tunnel;
    } catch (err) {
      proxySocket.destroy();
      throw err;
    } finally {
      stop.removeEventListener('abort', onStop);
    }
  };
}

/** The IP to dial: the target itself when it is an IP, else the first public answer. */
async function resolveTarget(
  host: string,
  port: number,
  opts: { allowPrivate: boolean; lookup: HostLookup },
): Promise<string> {
  if (isIP(host) !== 0) return host;
  let addresses: string[];
  try {
    addresses = await opts.lookup(host);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? null;
    throw new ConnectFailedError(
      host,
      port,
      `host name does not resolve (${code ?? 'error'})`,
      code,
      {
        cause: err,
      },
    );
  }
  if (addresses.length === 0) {
    throw new ConnectFailedError(host, port, 'host name has no addresses', null);
  }
  if (opts.allowPrivate) return addresses[0];
  // A name with both public and private answers is dialled on a public one;
  // the caller's check then refuses the private-only case by name.
  return addresses.find((a) => addressRange(a) === PUBLIC_RANGE) ?? addresses[0];
}

/** Rejects with `onAbort()` as soon as `signal` fires, whatever `work` does. */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal, onAbort: () => Error): Promise<T> {
  if (signal.aborted) return Promise.reject(onAbort());
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(onAbort());
    signal.addEventListener('abort', abort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(err);
      },
    );
  });
}

const FAILURE_TEXT: Record<string, string> = {
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset',
  EADDRNOTAVAIL: 'source address not available on this host',
  EADDRINUSE: 'source address/port in use',
  EINVAL: 'invalid address combination (IPv4 source with IPv6 target?)',
};

function mapSocketError(
  err: NodeJS.ErrnoException,
  host: string,
  port: number,
  timeoutMs: number,
): ConnectError {
  if (err.code === 'ECONNREFUSED') return new ConnectRefusedError(host, port, { cause: err });
  // The kernel gave up on SYN retries before our own deadline fired.
  if (err.code === 'ETIMEDOUT') return new ConnectTimeoutError(host, port, timeoutMs);
  const code = err.code ?? null;
  const text = (code && FAILURE_TEXT[code]) || err.message;
  return new ConnectFailedError(host, port, text, code, { cause: err });
}

/** One TCP connection, resolved on 'connect', torn down on abort or error. */
function openTcp(
  host: string,
  port: number,
  localAddress: string | null,
  timeoutMs: number,
  signal: AbortSignal,
  onAbort: () => ConnectError,
): Promise<Socket> {
  if (signal.aborted) return Promise.reject(onAbort());
  return new Promise<Socket>((resolve, reject) => {
    const socket = netConnect({ host, port, ...(localAddress ? { localAddress } : {}) });
    const cleanup = () => {
      socket.off('connect', onConnect);
      socket.off('error', onError);
      signal.removeEventListener('abort', onAbortSignal);
    };
    const onConnect = () => {
      cleanup();
      resolve(socket);
    };
    const onError = (err: NodeJS.ErrnoException) => {
      cleanup();
      socket.destroy();
      reject(mapSocketError(err, host, port, timeoutMs));
    };
    const onAbortSignal = () => {
      cleanup();
      socket.destroy();
      reject(onAbort());
    };
    socket.once('connect', onConnect);
    socket.once('error', onError);
    signal.addEventListener('abort', onAbortSignal, { once: true });
  });
}
