import type { PeerVerb } from './smtp-peer-options.js';

export const PEER_VERBS = [
  'EHLO',
  'HELO',
  'STARTTLS',
  'MAIL',
  'RCPT',
  'RSET',
  'NOOP',
  'QUIT',
  'DATA',
  'VRFY',
] as const satisfies readonly PeerVerb[];

/** Everything one connection received, for assertions and benchmarks. */
export interface PeerConnectionLog {
  id: number;
  remoteAddress: string;
  /** Every command line received, in order, without CRLF. */
  commands: string[];
  /**
   * Command lines grouped by the read (TCP data event) that completed them.
   * A pipelined MAIL + RCPTs written at once shows up as one burst.
   */
  bursts: string[][];
  /** True once STARTTLS completed on this connection. */
  tls: boolean;
  closed: boolean;
}

/** Counters over the peer's lifetime (reset with `peer.resetStats()`). */
export interface SmtpPeerStats {
  /** Connections accepted. */
  connections: number;
  activeConnections: number;
  peakConcurrentConnections: number;
  /** Commands received by verb (`OTHER` for unknown verbs). */
  commands: Partial<Record<PeerVerb, number>>;
  /** MAIL FROM commands accepted. */
  transactions: number;
  /** Most recipients accepted in one transaction. */
  maxRecipientsInTransaction: number;
  /** Data events received across all connections ("write bursts"). */
  reads: number;
}

export function emptyStats(): SmtpPeerStats {
  return {
    connections: 0,
    activeConnections: 0,
    peakConcurrentConnections: 0,
    commands: {},
    transactions: 0,
    maxRecipientsInTransaction: 0,
    reads: 0,
  };
}
