import { setTimeout as sleep } from 'node:timers/promises';
import type { SocketFactory } from '../../src/verify/smtp/socket-factory.js';

/**
 * Give the TCP handshake its round trip. On loopback a connect completes at
 * once, while the peers delay every reply (the banner included) by R; waiting
 * R before connecting makes connect + banner cost 2R of wall clock, as the
 * round-trip count (2 per connection) and design.md §4's S = 3 assume.
 * Without it, wall-clock figures would flatter engines that open many
 * connections. Every engine gets the same wrapped factory.
 */
export function withConnectLatency(connect: SocketFactory, latencyMs: number): SocketFactory {
  if (latencyMs <= 0) return connect;
  return async (target) => {
    await sleep(latencyMs, undefined, { signal: target.signal });
    return connect(target);
  };
}
