import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { PeerConnection } from './smtp-peer-connection.js';
import {
  DEFAULT_PEER_PORT,
  type SmtpPeerBehaviour,
  type SmtpPeerOptions,
} from './smtp-peer-options.js';
import { emptyStats, type PeerConnectionLog, type SmtpPeerStats } from './smtp-peer-stats.js';

export type {
  SmtpPeerBehaviour,
  SmtpPeerOptions,
  ReplyText,
  PeerVerb,
} from './smtp-peer-options.js';
export type { PeerConnectionLog, SmtpPeerStats } from './smtp-peer-stats.js';

const TLS_DIR = new URL('../fixtures/tls/', import.meta.url);

/** A running scripted SMTP server on a loopback address (design.md §7). */
export interface SmtpPeer {
  readonly host: string;
  readonly port: number;
  /** Live counters; mutate-free snapshot via `{ ...peer.stats }`. */
  readonly stats: SmtpPeerStats;
  /** One log per accepted connection, in accept order. */
  readonly connections: readonly PeerConnectionLog[];
  /** Change behaviour while running (merged into the current behaviour). */
  configure(change: Partial<SmtpPeerBehaviour>): void;
  /** Zero the counters, forget connection logs and greylist memory. */
  resetStats(): void;
  /** Destroy every socket and stop listening. */
  close(): Promise<void>;
}

let cachedContext: tls.SecureContext | undefined;
function secureContext(): tls.SecureContext {
  cachedContext ??= tls.createSecureContext({
    key: readFileSync(new URL('mx.test.key', TLS_DIR)),
    cert: readFileSync(new URL('mx.test.crt', TLS_DIR)),
  });
  return cachedContext;
}

/**
 * Start a scripted SMTP peer bound to `options.host` (port 25 unless told).
 * Behaviours: accept list, catch-all, greylist, 421 throttle, 452 4.5.3,
 * tarpit, per-reply latency, per-recipient RCPT latency, drop mid-session, 5.7.1 block, custom banner,
 * PIPELINING on/off, STARTTLS (working, refused or broken), SMTPUTF8,
 * LIMITS RCPTMAX, EHLO refused, per-recipient and per-verb reply overrides.
 */
export async function startSmtpPeer(options: SmtpPeerOptions): Promise<SmtpPeer> {
  const { host, port = DEFAULT_PEER_PORT, ...initial } = options;
  let behaviour: SmtpPeerBehaviour = { ...initial };
  const stats = emptyStats();
  const logs: PeerConnectionLog[] = [];
  const live = new Set<PeerConnection>();
  const greylist = new Map<string, number>();
  let nextId = 1;

  const server = net.createServer((socket) => {
    stats.connections++;
    stats.activeConnections++;
    stats.peakConcurrentConnections = Math.max(
      stats.peakConcurrentConnections,
      stats.activeConnections,
    );
    const log: PeerConnectionLog = {
      id: nextId++,
      remoteAddress: socket.remoteAddress ?? '',
      commands: [],
      bursts: [],
      tls: false,
      closed: false,
    };
    logs.push(log);
    const cap = behaviour.maxConcurrentConnections;
    const ctx = {
      behaviour: () => behaviour,
      stats,
      greylist,
      secureContext,
    };
    const conn = new PeerConnection(
      socket,
      ctx,
      log,
      cap !== undefined && stats.activeConnections > cap,
    );
    live.add(conn);
    socket.on('close', () => {
      stats.activeConnections--;
      live.delete(conn);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as net.AddressInfo).port;

  return {
    host,
    port: bound,
    stats,
    connections: logs,
    configure(change) {
      behaviour = { ...behaviour, ...change };
    },
    resetStats() {
      // In place: live connections hold a reference to this object.
      Object.assign(stats, emptyStats(), { activeConnections: stats.activeConnections });
      logs.length = 0;
      greylist.clear();
    },
    async close() {
      for (const conn of live) conn.destroy();
      live.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
