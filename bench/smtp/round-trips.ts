import type { BenchList, BenchWorld } from './world.js';

/** S: session setup = TCP connect + banner + EHLO (design.md §4; no STARTTLS in the bench). */
export const SETUP_ROUND_TRIPS = 3;
/** p: one catch-all probe per domain (mailvet) or per address (the baselines). */
export const CATCH_ALL_PROBES = 1;
/** Round trips charged to opening a connection: the TCP handshake and the wait for the banner. */
export const CONNECTION_ROUND_TRIPS = 2;

/**
 * The formula limit of design.md §4 for a list: per MX host one session setup
 * S, then per domain at that host ⌈(k + p)/m⌉ pipelined transactions (a
 * transaction never mixes domains, and the catch-all probe rides in the
 * domain's first one).
 */
export function pooledLimit(list: BenchList, m: number): number {
  let total = 0;
  for (const plan of list.plans) {
    total += SETUP_ROUND_TRIPS;
    for (const k of plan.domains.values()) total += Math.ceil((k + CATCH_ALL_PROBES) / m);
  }
  return total;
}

/** One connection per address, one command per round trip: k·(S + 2 + p) (MAIL, RCPT, probe RCPT). */
export function lockstepModel(addresses: number): number {
  return addresses * (SETUP_ROUND_TRIPS + 2 + CATCH_ALL_PROBES);
}

/** One connection per address, MAIL + RCPT + probe RCPT in one pipelined write: k·(S + 1). */
export function pipelinedPerAddressModel(addresses: number): number {
  return addresses * (SETUP_ROUND_TRIPS + 1);
}

export interface RoundTripCount {
  connections: number;
  /** Peer reads that completed at least one command, lone QUITs left out. */
  bursts: number;
  roundTrips: number;
}

/**
 * Client round trips, counted the same way for every engine, at the peers
 * (so no engine reports its own figure): each connection costs
 * CONNECTION_ROUND_TRIPS (handshake, banner), plus one for every read in
 * which the peer received one or more complete command lines — a client
 * writes, then waits for the answer to what it wrote. A read holding only
 * QUIT is left out: nothing waits on its answer to decide a verdict, and the
 * formula leaves it out too. Hence EHLO is the third round trip of S.
 */
export function roundTripsSeen(world: BenchWorld): RoundTripCount {
  let connections = 0;
  let bursts = 0;
  for (const peer of world.peers) {
    for (const log of peer.connections) {
      connections++;
      bursts += log.bursts.filter((b) => !(b.length === 1 && /^QUIT\b/i.test(b[0]))).length;
    }
  }
  return { connections, bursts, roundTrips: CONNECTION_ROUND_TRIPS * connections + bursts };
}

/** Burst shapes (verbs per read, e.g. `MAIL+RCPT+RCPT`) and how often each occurred, for inspection. */
export function burstShapes(world: BenchWorld): Map<string, number> {
  const shapes = new Map<string, number>();
  for (const peer of world.peers) {
    for (const log of peer.connections) {
      for (const burst of log.bursts) {
        const verbs = burst.map((line) => line.split(' ', 1)[0].toUpperCase());
        const key = compress(verbs);
        shapes.set(key, (shapes.get(key) ?? 0) + 1);
      }
    }
  }
  return shapes;
}

/** `RCPT+RCPT+RCPT` → `RCPT×3`, so 100-recipient bursts stay readable. */
function compress(verbs: string[]): string {
  const parts: string[] = [];
  for (let i = 0; i < verbs.length;) {
    let j = i;
    while (j < verbs.length && verbs[j] === verbs[i]) j++;
    parts.push(j - i > 1 ? `${verbs[i]}×${j - i}` : verbs[i]);
    i = j;
  }
  return parts.join('+');
}
