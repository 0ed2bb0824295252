import { MailvetError } from '../../errors.js';

/**
 * Why the socket factory could not hand back a connection. Every failure has
 * its own class and a stable `code`; the prober branches on `code`
 * (`MV_ERR_UNROUTABLE_ADDRESS` → `unroutable_mx`, `MV_ERR_CONNECT_TIMEOUT` →
 * `timeout`, the rest → `connection_failed`), never on the message.
 *
 * These live beside the socket factory rather than in src/errors.ts only so
 * parallel work did not collide on one file; the codes are final.
 */
export class ConnectError extends MailvetError {
  /** The IP (or host name, before resolution) that was being connected to. */
  readonly address: string;
  readonly port: number;
  constructor(
    code: string,
    message: string,
    address: string,
    port: number,
    options?: ErrorOptions,
  ) {
    super(code, message, 502, options);
    this.name = 'ConnectError';
    this.address = address;
    this.port = port;
  }
}

/**
 * The target resolved to an address the SSRF policy refuses (loopback,
 * private, link-local, metadata…). No packet was sent to it.
 */
export class UnroutableAddressError extends ConnectError {
  /** The policy's name for the range, e.g. `private`, `cloudMetadata`. */
  readonly range: string;
  constructor(address: string, port: number, range: string) {
    super(
      'MV_ERR_UNROUTABLE_ADDRESS',
      `refusing to connect to ${address} (${range} address); only public unicast addresses are allowed`,
      address,
      port,
    );
    this.name = 'UnroutableAddressError';
    this.range = range;
  }
}

/** The peer (or, through a proxy, the proxy on its behalf) actively refused. */
export class ConnectRefusedError extends ConnectError {
  constructor(address: string, port: number, options?: ErrorOptions) {
    super(
      'MV_ERR_CONNECT_REFUSED',
      `connection refused by ${address}:${port}`,
      address,
      port,
      options,
    );
    this.name = 'ConnectRefusedError';
  }
}

/** No connection within the connect timeout (typical of filtered port 25). */
export class ConnectTimeoutError extends ConnectError {
  readonly timeoutMs: number;
  constructor(address: string, port: number, timeoutMs: number) {
    super(
      'MV_ERR_CONNECT_TIMEOUT',
      `no connection to ${address}:${port} within ${timeoutMs} ms`,
      address,
      port,
    );
    this.name = 'ConnectTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

/** The caller's AbortSignal fired before the connection was established. */
export class ConnectAbortedError extends ConnectError {
  constructor(address: string, port: number, options?: ErrorOptions) {
    super(
      'MV_ERR_CONNECT_ABORTED',
      `connecting to ${address}:${port} was aborted`,
      address,
      port,
      options,
    );
    this.name = 'ConnectAbortedError';
  }
}

/**
 * Any other network failure: host/network unreachable, reset, a source
 * address that cannot be bound, a host name that does not resolve.
 * `osCode` keeps the system error code (`EHOSTUNREACH`…) when there is one.
 */
export class ConnectFailedError extends ConnectError {
  readonly osCode: string | null;
  constructor(
    address: string,
    port: number,
    detail: string,
    osCode: string | null,
    options?: ErrorOptions,
  ) {
    super(
      'MV_ERR_CONNECT_FAILED',
      `cannot connect to ${address}:${port}: ${detail}`,
      address,
      port,
      options,
    );
    this.name = 'ConnectFailedError';
    this.osCode = osCode;
  }
}

/**
 * The SOCKS5 proxy itself failed: unreachable, authentication refused, or it
 * declined the request by policy. Kept apart so a proxy outage is not blamed
 * on (and does not trip the circuit breaker of) the mail host.
 */
export class ProxyError extends ConnectError {
  constructor(address: string, port: number, detail: string, options?: ErrorOptions) {
    super(
      'MV_ERR_PROXY',
      `SOCKS5 proxy failed for ${address}:${port}: ${detail}`,
      address,
      port,
      options,
    );
    this.name = 'ProxyError';
  }
}
