import { BlockList, isIP } from 'node:net';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { IpBlock, IpBlockRepo, IpBlockSource } from '../store/ip-block-repo.js';
import { normalizeCidr } from './cidr.js';

/** How often blocks added by other instances (or expiring) are picked up from the store. */
export const DEFAULT_BLOCK_REFRESH_MS = 5_000;
/** How often expired blocks are deleted from the store (by whichever instance refreshes). */
export const PRUNE_INTERVAL_MS = 60_000;

/** A parsed block entry: its own BlockList so expiring entries can drop out individually. */
interface Entry {
  cidr: string;
  family: 'ipv4' | 'ipv6';
  source: IpBlockSource;
  expiresAt: number | null;
  list: BlockList;
}

export interface IpBlockerOptions {
  /** Static CIDRs from config; never expire, not removable over the API. */
  staticCidrs: readonly string[];
  repo: IpBlockRepo;
  /**
   * Counts auth failures per IP: `points` = threshold, `duration` = window.
   * Memory or Redis (shared by instances) — the caller chooses.
   */
  failureLimiter: RateLimiterAbstract;
  /** How long an automatic block lasts. */
  autoBlockSeconds: number;
  now?: () => number;
}

function entryOf(cidr: string, source: IpBlockSource, expiresAt: number | null): Entry {
  const n = normalizeCidr(cidr);
  const list = new BlockList();
  list.addSubnet(n.address, n.prefix, n.family);
  return { cidr: n.cidr, family: n.family, source, expiresAt, list };
}

/**
 * Decides whether a client IP is blocked: static config CIDRs, blocks kept in
 * the store (admin-managed and automatic, shared by every instance), and
 * automatic temporary blocks after repeated auth failures. `check` is
 * synchronous and in-memory so a blocked client costs nothing else.
 */
export class IpBlocker {
  readonly #static: Entry[];
  #stored: Entry[] = [];
  readonly #repo: IpBlockRepo;
  readonly #limiter: RateLimiterAbstract;
  readonly #autoBlockMs: number;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #lastPrune = -Infinity;

  constructor(options: IpBlockerOptions) {
    this.#static = options.staticCidrs.map((c) => entryOf(c, 'static', null));
    this.#repo = options.repo;
    this.#limiter = options.failureLimiter;
    this.#autoBlockMs = options.autoBlockSeconds * 1000;
    this.#now = options.now ?? Date.now;
  }

  /** Load stored blocks now, then every `intervalMs`. */
  async start(intervalMs = DEFAULT_BLOCK_REFRESH_MS): Promise<void> {
    await this.refresh();
    this.#timer = setInterval(() => {
      this.refresh().catch(() => {
        // Keep the last known list: a database hiccup must not unblock everyone.
      });
    }, intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Re-read blocks in force from the store; once a minute, delete expired ones. */
  async refresh(): Promise<void> {
    const now = this.#now();
    if (now - this.#lastPrune >= PRUNE_INTERVAL_MS) {
      this.#lastPrune = now;
      // Automatic blocks would otherwise pile up for ever, each refresh
      // scanning them. A failed prune is retried next minute; it must not
      // keep the list from being read.
      await this.#repo.pruneExpired(now).catch(() => undefined);
    }
    const blocks = await this.#repo.active(now);
    const entries: Entry[] = [];
    for (const b of blocks) {
      try {
        entries.push(entryOf(b.cidr, b.source, b.expiresAt));
      } catch {
        // A malformed row (written by hand) is skipped rather than breaking every request.
      }
    }
    this.#stored = entries;
  }

  /** The source of the block covering `ip`, or null when it may pass. */
  check(ip: string): IpBlockSource | null {
    const family = isIP(ip);
    if (family === 0) return null;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    // Only blocks of the client's own family: BlockList matches an IPv4
    // client against IPv6 subnets through ::ffff:0:0/96, so `::/0` ("all of
    // IPv6") would block every IPv4 client too. Mapped blocks were already
    // turned into IPv4 ones by normalizeCidr.
    for (const e of this.#static) if (e.family === type && e.list.check(ip, type)) return 'static';
    const now = this.#now();
    for (const e of this.#stored) {
      if (e.family !== type || (e.expiresAt !== null && e.expiresAt <= now)) continue;
      if (e.list.check(ip, type)) return e.source;
    }
    return null;
  }

  /**
   * Count one auth failure for `ip`. Past the threshold within the window the
   * IP is blocked for `autoBlockSeconds`, in the store so every instance
   * enforces it. Returns true when this call created the block.
   */
  async recordAuthFailure(ip: string): Promise<boolean> {
    if (isIP(ip) === 0) return false;
    try {
      await this.#limiter.consume(ip, 1);
      return false;
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) throw res;
    }
    if (this.check(ip) !== null) return false;
    const now = this.#now();
    const block: IpBlock = {
      cidr: normalizeCidr(ip).cidr,
      reason: 'repeated authentication failures',
      createdAt: now,
      expiresAt: now + this.#autoBlockMs,
      source: 'auto',
    };
    const added = await this.#repo.addAutomatic(block);
    await this.#limiter.delete(ip).catch(() => undefined);
    if (!added) {
      // An admin blocked it meanwhile and this view is behind; take their row.
      await this.refresh();
      return false;
    }
    this.#stored = [...this.#stored, entryOf(block.cidr, 'auto', block.expiresAt)];
    return true;
  }

  /** Static blocks as records, for the admin listing. */
  staticBlocks(): IpBlock[] {
    return this.#static.map((e) => ({
      cidr: e.cidr,
      reason: 'configuration',
      createdAt: 0,
      expiresAt: null,
      source: 'static',
    }));
  }
}
