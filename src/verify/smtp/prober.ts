import type { Socket } from 'node:net';
import { ehloCommand, mailCommand } from './command.js';
import { randomBytes } from 'node:crypto';
import { ClosedError } from '../../errors.js';
import { publish } from '../../observability/channels.js';
import { CatchAllCache } from './catch-all-cache.js';
import { DEFAULT_GREYLIST_BUDGET_MS, GreylistSchedule } from './greylist-schedule.js';
import { HostBreaker } from './host-breaker.js';
import { HostPool } from './pool.js';
import { ConnectionBudget } from './pool-connection-budget.js';
import type { SessionOpener } from './pool-session.js';
import {
  DEFAULT_CONNECT_INTERVAL_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_HOST_ATTEMPTS,
  DEFAULT_MAX_RECIPIENTS_PER_TRANSACTION,
  DEFAULT_MAX_SESSIONS,
  DEFAULT_MAX_SESSIONS_PER_HOST,
  DEFAULT_MAX_TRANSACTIONS_PER_SESSION,
  DEFAULT_SMTP_PORT,
  DEFAULT_TEMPORARY_RETRY_AFTER_SECONDS,
  type SmtpProberOptions,
} from './prober-options.js';
import { uncheckedInfo } from './prober-outcome.js';
import { recogniseProvider } from './providers.js';
import { probeRecipient, type Candidate, type RecipientProbeContext } from './prober-recipient.js';
import { MAX_RECIPIENTS_PER_TRANSACTION, SmtpSession } from './session.js';
import type { SmtpProbeRequest, SmtpProber, SmtpVerdict } from './smtp-verdict.js';
import type { ConnectTarget, SocketFactory } from './socket-factory.js';

/** Default catch-all local part: unguessable, recognisable in server logs. */
export function randomLocalPart(): string {
  return `mv-${randomBytes(8).toString('hex')}`;
}

/**
 * Create the pooled, pipelined, polite prober (design.md §4). One per
 * process: it maps each MX host IP to a `HostPool` (≈ undici Agent → Pool),
 * keeps one circuit breaker per host and one catch-all answer per domain.
 */
export function createSmtpProber(options: SmtpProberOptions): SmtpProber {
  return new PooledSmtpProber(options);
}

class PooledSmtpProber implements SmtpProber {
  readonly #o: SmtpProberOptions;
  readonly #now: () => number;
  readonly #port: number;
  readonly #openSession: SessionOpener;
  readonly #pools = new Map<string, HostPool>();
  readonly #breakers = new Map<string, HostBreaker>();
  readonly #catchAll: CatchAllCache;
  readonly #catchAllInFlight = new Map<string, Promise<boolean | null>>();
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #ctx: RecipientProbeContext;
  readonly #budget: ConnectionBudget;
  /** Every socket our sessions hold, so close({ signal }) can cut them. */
  readonly #sockets = new Set<Socket>();
  /** Fires when close({ signal }) cuts: connection attempts stop too. */
  readonly #cut = new AbortController();
  readonly #connect: SocketFactory;
  #closed = false;

  constructor(options: SmtpProberOptions) {
    // A bad HELO name or sender would fail every session and open every
    // host's breaker; refuse it here, before any connection, with the same
    // builders the session uses.
    ehloCommand(options.heloName);
    mailCommand(options.mailFrom);
    this.#o = { ...options };
    this.#now = options.now ?? Date.now;
    this.#port = options.port ?? DEFAULT_SMTP_PORT;
    this.#connect = (target) => this.#track(target);
    this.#openSession = options.openSession ?? ((o) => SmtpSession.open(o));
    this.#budget = new ConnectionBudget(options.maxSessions ?? DEFAULT_MAX_SESSIONS);
    this.#catchAll = new CatchAllCache({ ttlMs: options.catchAllTtlMs, now: this.#now });
    this.#ctx = {
      poolFor: (ip, exchange) => this.#poolFor(ip, exchange),
      greylist: new GreylistSchedule(
        options.greylistRetryDelaysMs,
        options.greylistBudgetMs ?? DEFAULT_GREYLIST_BUDGET_MS,
      ),
      maxHostAttempts: options.maxHostAttempts ?? DEFAULT_MAX_HOST_ATTEMPTS,
      temporaryRetryAfterSeconds: DEFAULT_TEMPORARY_RETRY_AFTER_SECONDS,
      now: this.#now,
      stop: this.#cut.signal,
    };
  }

  probe(request: SmtpProbeRequest): Promise<SmtpVerdict> {
    if (this.#closed) return Promise.reject(new ClosedError('SMTP prober'));
    const work = this.#probe(request);
    this.#inFlight.add(work);
    void work.finally(() => this.#inFlight.delete(work)).catch(() => {});
    return work;
  }

  async close(options: { signal?: AbortSignal } = {}): Promise<void> {
    this.#closed = true;
    const { signal } = options;
    const cut = () => {
      this.#cut.abort();
      for (const socket of this.#sockets) socket.destroy();
    };
    if (signal?.aborted) cut();
    else signal?.addEventListener('abort', cut, { once: true });
    try {
      while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
      await Promise.allSettled([...this.#pools.values()].map((pool) => pool.close()));
      this.#pools.clear();
    } finally {
      signal?.removeEventListener('abort', cut);
    }
  }

  /**
   * The injected socket factory, plus bookkeeping for a cutting close: the
   * attempt also stops on the cut, and the socket is remembered until it
   * closes (a TLS session rides on it, so destroying it ends that too).
   */
  async #track(target: ConnectTarget): Promise<Socket> {
    const cut = this.#cut.signal;
    const signal = target.signal ? AbortSignal.any([target.signal, cut]) : cut;
    const socket = await this.#o.connect({ ...target, signal });
    if (cut.aborted) {
      socket.destroy();
      throw new ClosedError('SMTP prober');
    }
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
    return socket;
  }

  async #probe(request: SmtpProbeRequest): Promise<SmtpVerdict> {
    const started = this.#now();
    const { address, hosts } = request;
    const recognise = this.#o.recogniseProvider ?? recogniseProvider;
    const provider = recognise(hosts.map((h) => h.exchange));
    const providerId = provider?.id ?? null;
    if (provider?.acceptsAllRcpt) {
      // Probing proves nothing here and only spends our reputation with them.
      return {
        outcome: 'provider_unverifiable',
        catchAll: null,
        smtp: uncheckedInfo(hosts[0]?.exchange ?? null),
        provider: providerId,
      };
    }
    const candidates = candidatesOf(hosts);
    if (candidates.length === 0) {
      return {
        outcome: 'connection_failed',
        catchAll: null,
        smtp: uncheckedInfo(hosts[0]?.exchange ?? null),
        provider: providerId,
      };
    }
    const domain = address.asciiDomain.toLowerCase();
    // Started first, so its RCPT leads the domain's first transaction.
    const catchAll = this.#catchAllFor(domain, candidates);
    const verdict = await probeRecipient(
      this.#ctx,
      candidates,
      domain,
      `${address.localPart}@${address.asciiDomain}`,
      address.smtputf8,
    );
    const result: SmtpVerdict = {
      outcome: verdict.outcome,
      catchAll: await catchAll,
      smtp: verdict.smtp,
      provider: providerId,
    };
    if (verdict.retryAfterSeconds !== undefined)
      result.retryAfterSeconds = verdict.retryAfterSeconds;
    publish('verifyStep', { step: 'smtp', seconds: (this.#now() - started) / 1000 });
    return result;
  }

  #catchAllFor(domain: string, candidates: Candidate[]): Promise<boolean | null> {
    if (this.#o.catchAllProbe === false) return Promise.resolve(null);
    const cached = this.#catchAll.get(domain);
    if (cached !== undefined) return Promise.resolve(cached);
    const pending = this.#catchAllInFlight.get(domain);
    if (pending) return pending;
    const started = this.#now();
    const local = (this.#o.randomLocalPart ?? randomLocalPart)();
    const probe = probeRecipient(this.#ctx, candidates, domain, `${local}@${domain}`, false).then(
      (verdict) => {
        publish('verifyStep', { step: 'catch_all', seconds: (this.#now() - started) / 1000 });
        let catchAll: boolean | null = null;
        if (verdict.outcome === 'accepted') catchAll = true;
        else if (
          verdict.outcome === 'mailbox_not_found' ||
          verdict.outcome === 'mailbox_disabled'
        ) {
          catchAll = false;
        }
        if (catchAll !== null) this.#catchAll.set(domain, catchAll);
        return catchAll;
      },
    );
    this.#catchAllInFlight.set(domain, probe);
    void probe.finally(() => this.#catchAllInFlight.delete(domain));
    return probe;
  }

  #poolFor(ip: string, exchange: string): HostPool {
    const key = `${ip}|${this.#port}`;
    const existing = this.#pools.get(key);
    if (existing) return existing;
    let breaker = this.#breakers.get(key);
    if (!breaker) {
      breaker = new HostBreaker({
        failureThreshold: this.#o.breakerFailureThreshold,
        openMs: this.#o.breakerOpenMs,
        now: this.#now,
      });
      this.#breakers.set(key, breaker);
    }
    const o = this.#o;
    const pool: HostPool = new HostPool({
      host: ip,
      port: this.#port,
      servername: exchange,
      heloName: o.heloName,
      mailFrom: o.mailFrom,
      connect: this.#connect,
      openSession: this.#openSession,
      sessionTimeouts: o.sessionTimeouts,
      starttls: o.starttls ?? false,
      maxSessions: Math.max(1, o.maxSessionsPerHost ?? DEFAULT_MAX_SESSIONS_PER_HOST),
      // The session refuses more than MAX_RECIPIENTS_PER_TRANSACTION in one go.
      maxRecipients: Math.min(
        MAX_RECIPIENTS_PER_TRANSACTION,
        Math.max(1, o.maxRecipientsPerTransaction ?? DEFAULT_MAX_RECIPIENTS_PER_TRANSACTION),
      ),
      maxTransactionsPerSession: Math.max(
        1,
        o.maxTransactionsPerSession ?? DEFAULT_MAX_TRANSACTIONS_PER_SESSION,
      ),
      idleTimeoutMs: o.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      connectIntervalMs: o.connectIntervalMs ?? DEFAULT_CONNECT_INTERVAL_MS,
      breaker,
      budget: this.#budget,
      now: this.#now,
      onEmpty: () => {
        // Idle pools go; breakers stay while they remember failures.
        if (this.#pools.get(key) === pool) this.#pools.delete(key);
        if (breaker.pristine) this.#breakers.delete(key);
      },
    });
    this.#pools.set(key, pool);
    return pool;
  }
}

/** Every (host, IP) pair in preference order, each IP once. */
function candidatesOf(hosts: SmtpProbeRequest['hosts']): Candidate[] {
  const seen = new Set<string>();
  const out: Candidate[] = [];
  const ordered = [...hosts].sort((a, b) => a.preference - b.preference);
  for (const host of ordered) {
    for (const ip of host.addresses) {
      if (seen.has(ip)) continue;
      seen.add(ip);
      out.push({ exchange: host.exchange, ip });
    }
  }
  return out;
}
