import type { MailHost } from '../../src/verify/dns/mail-route.js';
import { startSmtpPeer, type SmtpPeer } from '../../test/world/smtp-peer.js';
import type { BenchVerdict } from './bench-verdict.js';

/** One address to verify and the route the bench hands the prober (no DNS). */
export interface BenchItem {
  email: string;
  domain: string;
  localPart: string;
  hosts: MailHost[];
  /** What the peer is scripted to answer: every engine must find exactly this. */
  expected: BenchVerdict;
}

/** A peer to start: where, and what it accepts. */
export interface PeerPlan {
  ip: string;
  exchange: string;
  accept: string[];
  catchAll: boolean;
  /** domain → addresses sent there, for the formula. */
  domains: Map<string, number>;
}

export interface BenchList {
  name: string;
  items: BenchItem[];
  plans: PeerPlan[];
}

/** Loopback addresses reserved for benchmarks: 127.0.20.1 … 127.0.40.250. */
function benchIp(n: number): string {
  const third = 20 + Math.floor(n / 250);
  if (third > 40) throw new Error('bench world needs more than 127.0.20.x–127.0.40.x');
  return `127.0.${third}.${(n % 250) + 1}`;
}

class ListBuilder {
  readonly items: BenchItem[] = [];
  readonly plans: PeerPlan[] = [];
  #next = 0;
  #serial = 0;

  host(name: string, catchAll = false): PeerPlan {
    const plan: PeerPlan = {
      ip: benchIp(this.#next++),
      exchange: `mx.${name}.bench`,
      accept: [],
      catchAll,
      domains: new Map(),
    };
    this.plans.push(plan);
    return plan;
  }

  /** `count` addresses at `domain`, about 70 % of them real mailboxes. */
  addresses(plan: PeerPlan, domain: string, count: number): void {
    const hosts: MailHost[] = [{ exchange: plan.exchange, preference: 10, addresses: [plan.ip] }];
    for (let i = 0; i < count; i++) {
      const serial = this.#serial++;
      const localPart = `user${serial}`;
      const email = `${localPart}@${domain}`;
      const exists = serial % 10 < 7;
      if (exists) plan.accept.push(email);
      const expected: BenchVerdict = {
        outcome: exists || plan.catchAll ? 'accepted' : 'mailbox_not_found',
        catchAll: plan.catchAll,
      };
      this.items.push({ email, domain, localPart, hosts, expected });
    }
    plan.domains.set(domain, (plan.domains.get(domain) ?? 0) + count);
  }
}

/** Deterministic shuffle so big domains are interleaved with the tail, as in real lists. */
function shuffle<T>(items: T[]): T[] {
  let seed = 42;
  for (let i = items.length - 1; i > 0; i--) {
    seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
    const j = seed % (i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/**
 * Skewed: four big providers carry half the addresses; the other half is a
 * long tail of one-address domains, 700 of them on 70 shared-hosting MX
 * hosts (ten domains each) and 300 with their own MX (every tenth catch-all).
 */
export function skewedList(): BenchList {
  const b = new ListBuilder();
  [400, 300, 200, 100].forEach((count, i) =>
    b.addresses(b.host(`big${i}`), `big${i}.bench`, count),
  );
  for (let h = 0; h < 70; h++) {
    const plan = b.host(`hosting${h}`);
    for (let d = 0; d < 10; d++) b.addresses(plan, `shared${h}-${d}.bench`, 1);
  }
  for (let d = 0; d < 300; d++) b.addresses(b.host(`own${d}`, d % 10 === 0), `own${d}.bench`, 1);
  return { name: 'skewed', items: shuffle(b.items), plans: b.plans };
}

/** One provider: 1,950 addresses over 10 domains it hosts, plus 50 one-address domains. */
export function oneProviderList(): BenchList {
  const b = new ListBuilder();
  const provider = b.host('provider');
  for (let d = 0; d < 10; d++) b.addresses(provider, `tenant${d}.bench`, 195);
  for (let d = 0; d < 50; d++) b.addresses(b.host(`solo${d}`, d % 10 === 0), `solo${d}.bench`, 1);
  return { name: 'one-provider', items: shuffle(b.items), plans: b.plans };
}

export interface BenchWorld {
  peers: SmtpPeer[];
  close(): Promise<void>;
}

/** Start every peer of a list with per-reply latency R. */
export async function startWorld(list: BenchList, latencyMs: number): Promise<BenchWorld> {
  const peers = await Promise.all(
    list.plans.map((plan) =>
      startSmtpPeer({
        host: plan.ip,
        hostname: plan.exchange,
        accept: plan.accept,
        catchAll: plan.catchAll,
        latencyMs,
      }),
    ),
  );
  return {
    peers,
    close: async () => {
      await Promise.all(peers.map((p) => p.close()));
    },
  };
}
