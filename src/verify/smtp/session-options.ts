import { InvalidArgumentError } from '../../errors.js';
import { ehloCommand } from './command.js';
import { DEFAULT_MAX_LINE_LENGTH, DEFAULT_MAX_REPLY_BYTES } from './reply-parser.js';
import { resolveSessionTimeouts, type SessionTimeouts } from './session-timeouts.js';
import type { SocketFactory } from './socket-factory.js';

export interface SessionOptions {
  /** Resolved IP address of the mail host (the SSRF check happens in `connect`). */
  host: string;
  port: number;
  /** The MX name: TLS SNI and logs. IP-literal names are not sent as SNI. */
  servername?: string;
  /** Our EHLO/HELO name: a domain name or address literal. */
  heloName: string;
  /** Opens the TCP connection (SSRF policy, source address, SOCKS live there). */
  connect: SocketFactory;
  timeouts?: Partial<SessionTimeouts>;
  /**
   * Opportunistic STARTTLS (RFC 7435), default true. A failed handshake falls
   * back to a new plaintext connection; a 454 refusal continues in plaintext.
   */
  starttls?: boolean;
  /**
   * Verify the server certificate. Default false: MX certificates are rarely
   * valid for the MX name, and opportunistic TLS only guards against passive
   * eavesdropping (RFC 7435 §4); MTA-STS/DANE are out of scope here.
   */
  tlsRejectUnauthorized?: boolean;
  /** Cap per reply line in bytes, CRLF excluded. Default 2048 (RFC 5321 says 512). */
  maxLineLength?: number;
  /** Cap per complete (multi-line) reply in bytes. Default 64 KiB. */
  maxReplyBytes?: number;
}

/** Hard ceilings on the caps themselves, so a typo cannot unbound memory. */
export const MAX_LINE_LENGTH_CEILING = 64 * 1024;
export const MAX_REPLY_BYTES_CEILING = 1024 * 1024;

export interface ResolvedSessionOptions {
  host: string;
  port: number;
  servername: string | null;
  heloName: string;
  connect: SocketFactory;
  timeouts: Readonly<SessionTimeouts>;
  starttls: boolean;
  tlsRejectUnauthorized: boolean;
  maxLineLength: number;
  maxReplyBytes: number;
}

/** Validate and copy options once, at open, with defaults filled in. */
export function resolveSessionOptions(options: SessionOptions): Readonly<ResolvedSessionOptions> {
  if (!options || typeof options !== 'object') throw new InvalidArgumentError('options required');
  const { host, port, connect } = options;
  if (typeof host !== 'string' || host.length === 0) {
    throw new InvalidArgumentError('host must be a non-empty string');
  }
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new InvalidArgumentError('port must be an integer in 1..65535');
  }
  if (typeof connect !== 'function') throw new InvalidArgumentError('connect must be a function');
  ehloCommand(options.heloName); // throws on an unsafe or malformed name, before connecting
  return Object.freeze({
    host,
    port,
    servername: options.servername ?? null,
    heloName: options.heloName,
    connect,
    timeouts: resolveSessionTimeouts(options.timeouts),
    starttls: options.starttls !== false,
    tlsRejectUnauthorized: options.tlsRejectUnauthorized === true,
    maxLineLength: cap(
      options.maxLineLength,
      DEFAULT_MAX_LINE_LENGTH,
      MAX_LINE_LENGTH_CEILING,
      'maxLineLength',
    ),
    maxReplyBytes: cap(
      options.maxReplyBytes,
      DEFAULT_MAX_REPLY_BYTES,
      MAX_REPLY_BYTES_CEILING,
      'maxReplyBytes',
    ),
  });
}

function cap(value: number | undefined, fallback: number, ceiling: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 64 || value > ceiling) {
    throw new InvalidArgumentError(`${name} must be an integer in 64..${ceiling}`);
  }
  return value;
}
