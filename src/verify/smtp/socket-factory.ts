import type { Socket } from 'node:net';

/** Where a session wants to connect: an already-resolved IP and a port. */
export interface ConnectTarget {
  host: string;
  port: number;
  /** Abort the attempt (connect timeout, shutdown). */
  signal?: AbortSignal;
}

/**
 * Opens the TCP connection for one SMTP session. Injected (like undici's
 * `connect`) so the SSRF address check, source address and SOCKS proxy live in
 * one place, and tests can count connections. Resolves once connected.
 */
export type SocketFactory = (target: ConnectTarget) => Promise<Socket>;
