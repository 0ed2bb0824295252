import { publish } from '../../observability/channels.js';
import type { HostBreaker } from './host-breaker.js';
import type { ConnectionBudget } from './pool-connection-budget.js';
import {
  classifyRcptReply,
  classifySessionReply,
  isTooManyRecipients,
} from './reply-classifier.js';
import { poolFailureOf, type PoolFailure } from './pool-failure.js';
import type { PooledSmtpSession, SessionOpener } from './pool-session.js';
import type { SessionTimeouts } from './session-timeouts.js';
import { takeBatch, type RecipientRequest, type RecipientResult } from './recipient-batch.js';
import type { SmtpReply } from './smtp-reply.js';
import type { SocketFactory } from './socket-factory.js';

/** Times one recipient may be put back in the queue (452 4.5.3, stale connection). */
export const MAX_REQUEUES = 3;

/** Everything a host pool needs; the prober fills it from its own options. */
export interface HostPoolOptions {
  /** Resolved IP of the MX host. */
  host: string;
  port: number;
  /** MX name of the host, for TLS SNI. */
  servername?: string;
  heloName: string;
  mailFrom: string;
  connect: SocketFactory;
  openSession: SessionOpener;
  sessionTimeouts?: Partial<SessionTimeouts>;
  starttls: boolean;
  maxSessions: number;
  maxRecipients: number;
  maxTransactionsPerSession: number;
  idleTimeoutMs: number;
  /** Minimum gap between two new connections to this host. */
  connectIntervalMs: number;
  breaker: HostBreaker;
  /** Process-wide session cap shared with every other pool. */
  budget: ConnectionBudget;
  now: () => number;
  /** Called when the pool holds no session, no connect and no queued work. */
  onEmpty?: () => void;
}

interface Slot {
  session: PooledSmtpSession;
  busy: boolean;
  transactions: number;
  idleTimer?: NodeJS.Timeout;
}

/**
 * All sessions to one MX host IP (≈ undici's Pool): a queue of recipients, a
 * cap on sessions, pacing between new connections. A free session takes up to
 * m queued recipients of ONE domain and sends them as one pipelined
 * transaction; recipients that queue while a session connects therefore
 * leave together — the S + ⌈(k+p)/m⌉ round-trip shape of design.md §4.
 */
export class HostPool {
  readonly #o: HostPoolOptions;
  readonly #queue: RecipientRequest[] = [];
  readonly #slots = new Set<Slot>();
  #connecting = 0;
  #m: number;
  #lastConnectAt = Number.NEGATIVE_INFINITY;
  #drainScheduled = false;
  #pacingTimer: NodeJS.Timeout | undefined;
  #closing = false;
  #closeWaiters: Array<() => void> = [];

  constructor(options: HostPoolOptions) {
    this.#o = options;
    this.#m = Math.max(1, options.maxRecipients);
  }

  /** Current recipients-per-transaction limit (lowered by RCPTMAX and 452 4.5.3). */
  get maxRecipients(): number {
    return this.#m;
  }

  get idle(): boolean {
    return this.#queue.length === 0 && this.#slots.size === 0 && this.#connecting === 0;
  }

  /** Queue one recipient; its result arrives through `request.resolve`. */
  submit(request: RecipientRequest): void {
    if (this.#closing) return request.resolve(this.#failure('closing', 'pool is closing'));
    if (!this.#o.breaker.allowsWork()) {
      return request.resolve(this.#failure('breaker_open', 'circuit breaker open'));
    }
    this.#queue.push(request);
    this.#scheduleDrain();
  }

  /** Finish queued work, then QUIT every session. */
  async close(): Promise<void> {
    this.#closing = true;
    if (this.#queue.length > 0 || this.#busyCount() > 0 || this.#connecting > 0) {
      await new Promise<void>((resolve) => this.#closeWaiters.push(resolve));
    }
    clearTimeout(this.#pacingTimer);
    await Promise.allSettled([...this.#slots].map((slot) => this.#retire(slot)));
  }

  #failure(failure: PoolFailure['failure'], message: string): RecipientResult {
    return { kind: 'failure', failure, message, tls: false };
  }

  // Deferred so a burst of submits in one tick joins one transaction.
  #scheduleDrain(): void {
    if (this.#drainScheduled) return;
    this.#drainScheduled = true;
    setImmediate(() => {
      this.#drainScheduled = false;
      this.#drain();
    });
  }

  #busyCount(): number {
    let busy = 0;
    for (const slot of this.#slots) if (slot.busy) busy++;
    return busy;
  }

  #drain(): void {
    for (const slot of this.#slots) {
      if (this.#queue.length === 0) break;
      if (slot.busy) continue;
      if (slot.session.closed) {
        this.#drop(slot);
        continue;
      }
      void this.#run(slot);
    }
    this.#maybeConnect();
    this.#checkSettled();
  }

  /**
   * Open sessions only for work nobody will take soon: every session, busy
   * or connecting, is expected to absorb m queued recipients. Fewer
   * connections is both politer and fewer round trips.
   */
  #maybeConnect(): void {
    const o = this.#o;
    while (
      this.#queue.length > (this.#slots.size + this.#connecting) * this.#m &&
      this.#slots.size + this.#connecting < o.maxSessions
    ) {
      const wait = this.#lastConnectAt + o.connectIntervalMs - o.now();
      if (wait > 0) {
        this.#pacingTimer ??= setTimeout(() => {
          this.#pacingTimer = undefined;
          this.#drain();
        }, wait);
        return;
      }
      if (!o.budget.tryAcquire()) {
        o.budget.wait(this.#wake);
        return;
      }
      if (!o.breaker.tryAcquireConnect()) {
        o.budget.release();
        // Nobody will ever serve the queue while the breaker holds.
        if (this.#slots.size === 0 && this.#connecting === 0) {
          this.#failQueue({
            failure: 'breaker_open',
            message: 'circuit breaker open',
            hostFault: false,
          });
        }
        return;
      }
      this.#lastConnectAt = o.now();
      void this.#open();
    }
  }

  async #open(): Promise<void> {
    const o = this.#o;
    this.#connecting++;
    let session: PooledSmtpSession;
    try {
      session = await o.openSession({
        host: o.host,
        port: o.port,
        servername: o.servername,
        heloName: o.heloName,
        connect: o.connect,
        timeouts: o.sessionTimeouts,
        starttls: o.starttls,
      });
    } catch (err) {
      this.#connecting--;
      o.budget.release();
      const failure = poolFailureOf(err);
      if (failure.hostFault) o.breaker.recordFailure();
      else o.breaker.releaseProbe();
      // Only the last hope fails the queue; otherwise live sessions take it.
      if (this.#slots.size === 0 && this.#connecting === 0) this.#failQueue(failure);
      this.#drain();
      return;
    }
    this.#connecting--;
    const rcptMax = session.capabilities.rcptMax;
    if (rcptMax !== null && rcptMax > 0) this.#m = Math.min(this.#m, rcptMax);
    const slot: Slot = { session, busy: false, transactions: 0 };
    this.#slots.add(slot);
    if (this.#queue.length === 0) {
      o.breaker.releaseProbe();
      this.#park(slot);
    }
    this.#drain();
  }

  async #run(slot: Slot): Promise<void> {
    const o = this.#o;
    slot.busy = true;
    clearTimeout(slot.idleTimer);
    const batch = takeBatch(this.#queue, this.#m);
    if (batch[0].smtputf8 && !slot.session.capabilities.smtputf8) {
      // RFC 6531 §3.2: such an address may not be sent to this host at all.
      // That is no fault of the host and says nothing about the mailbox; the
      // session stays healthy, and another MX may offer SMTPUTF8.
      for (const r of batch) {
        r.resolve(
          this.#failure('smtputf8_unsupported', 'the server does not offer SMTPUTF8 (RFC 6531)'),
        );
      }
      this.#o.breaker.releaseProbe(); // a half-open attempt learnt nothing either way
      return this.#afterTransaction(slot);
    }
    const reused = slot.transactions > 0;
    publish('smtpSession', { reused, host: o.host });
    const started = o.now();
    for (const r of batch) publish('smtpPoolWait', { seconds: (started - r.enqueuedAt) / 1000 });
    let result: { mail: SmtpReply; recipients: SmtpReply[] };
    try {
      result = await slot.session.transaction(
        o.mailFrom,
        batch.map((r) => r.recipient),
        { smtputf8: batch[0].smtputf8 },
      );
    } catch (err) {
      this.#transactionFailed(slot, batch, err, reused);
      return;
    }
    slot.transactions++;
    this.#settleBatch(slot, batch, result);
  }

  #settleBatch(
    slot: Slot,
    batch: RecipientRequest[],
    result: { mail: SmtpReply; recipients: SmtpReply[] },
  ): void {
    const o = this.#o;
    const tls = slot.session.tls;
    const { mail } = result;
    if (mail.code === 421) {
      o.breaker.recordFailure();
      for (const r of batch)
        r.resolve({
          kind: 'failure',
          failure: 'throttled',
          reply: mail,
          message: mail.message,
          tls,
        });
      this.#drop(slot);
      return this.#drain();
    }
    if (mail.code >= 300) {
      // MAIL refused: its reply is the answer for every recipient.
      if (classifySessionReply(mail) === 'blocked') o.breaker.recordFailure();
      for (const r of batch) r.resolve({ kind: 'reply', stage: 'mail', reply: mail, tls });
      return this.#afterTransaction(slot);
    }
    const requeue: RecipientRequest[] = [];
    let accepted = 0;
    let tooManyAt = -1;
    let hostFault = false;
    let throttled = false;
    batch.forEach((request, i) => {
      const reply = result.recipients[i];
      if (throttled || reply === undefined) {
        // No answer for this one: let it try again (elsewhere if need be).
        return request.resolve({ kind: 'failure', failure: 'throttled', message: 'no reply', tls });
      }
      if (tooManyAt >= 0 || isTooManyRecipients(reply)) {
        if (tooManyAt < 0) tooManyAt = i;
        if (request.requeues < MAX_REQUEUES) {
          request.requeues++;
          requeue.push(request);
        } else {
          request.resolve({ kind: 'reply', stage: 'rcpt', reply, tls });
        }
        return;
      }
      if (reply.code === 421) {
        throttled = true;
        hostFault = true;
        return request.resolve({
          kind: 'failure',
          failure: 'throttled',
          reply,
          message: reply.message,
          tls,
        });
      }
      if (reply.code < 300) accepted++;
      // Blocks of us count against the host; greylisting (often 4.7.1) does not.
      if (classifyRcptReply(reply) === 'blocked') hostFault = true;
      request.resolve({ kind: 'reply', stage: 'rcpt', reply, tls });
    });
    if (tooManyAt >= 0) {
      // The host told us its real limit: everything before the first 452 got through.
      this.#m = Math.max(1, Math.min(this.#m, tooManyAt));
      this.#queue.unshift(...requeue);
    }
    if (hostFault) o.breaker.recordFailure();
    else if (accepted > 0 || batch.length > requeue.length) o.breaker.recordSuccess();
    if (throttled || tooManyAt === 0) {
      this.#drop(slot);
      return this.#drain();
    }
    this.#afterTransaction(slot);
  }

  #transactionFailed(slot: Slot, batch: RecipientRequest[], err: unknown, reused: boolean): void {
    const failure = poolFailureOf(err);
    const partial = (err as { partial?: SmtpReply[] }).partial ?? [];
    const tls = slot.session.tls;
    this.#drop(slot);
    // A pooled connection the server quietly closed while idle is no fault of
    // the host: put the work back for a fresh connection.
    const stale = reused && failure.failure === 'closed' && partial.length === 0;
    const requeue: RecipientRequest[] = [];
    batch.forEach((request, i) => {
      const reply = partial[i];
      // Answers that arrived before the failure (e.g. a 421 mid-pipeline) stand.
      if (reply && reply.code !== 421 && !isTooManyRecipients(reply)) {
        return request.resolve({ kind: 'reply', stage: 'rcpt', reply, tls });
      }
      const retry = stale || (reply !== undefined && isTooManyRecipients(reply));
      if (retry && request.requeues < MAX_REQUEUES) {
        request.requeues++;
        return requeue.push(request);
      }
      request.resolve({
        kind: 'failure',
        failure: failure.failure,
        reply: failure.reply,
        message: failure.message,
        tls,
      });
    });
    this.#queue.unshift(...requeue);
    if (!stale && failure.hostFault) this.#o.breaker.recordFailure();
    this.#drain();
  }

  #afterTransaction(slot: Slot): void {
    slot.busy = false;
    if (slot.session.closed) this.#drop(slot);
    else if (slot.transactions >= this.#o.maxTransactionsPerSession) void this.#retire(slot);
    else if (this.#queue.length === 0) this.#park(slot);
    this.#drain();
  }

  readonly #wake = (): void => this.#maybeConnect();

  /** Close one idle session so another pool can use its budget slot. */
  readonly #reclaim = (): boolean => {
    for (const slot of this.#slots) {
      if (!slot.busy) {
        void this.#retire(slot);
        return true;
      }
    }
    this.#o.budget.withdrawIdle(this.#reclaim);
    return false;
  };

  // Idle sessions are closed after idleTimeoutMs (unref'd so they never hold
  // the process), or at once when other pools wait for a session slot.
  #park(slot: Slot): void {
    clearTimeout(slot.idleTimer);
    if (this.#closing || this.#o.budget.contended) {
      void this.#retire(slot);
      return;
    }
    slot.idleTimer = setTimeout(() => void this.#retire(slot), this.#o.idleTimeoutMs);
    slot.idleTimer.unref();
    this.#o.budget.offerIdle(this.#reclaim);
  }

  /** Forget a session; its budget slot is released exactly once. */
  #remove(slot: Slot): boolean {
    clearTimeout(slot.idleTimer);
    if (!this.#slots.delete(slot)) return false;
    this.#o.budget.release();
    let idle = false;
    for (const other of this.#slots) idle ||= !other.busy;
    if (!idle) this.#o.budget.withdrawIdle(this.#reclaim);
    return true;
  }

  async #retire(slot: Slot): Promise<void> {
    if (!this.#remove(slot)) return;
    try {
      if (!slot.session.closed) await slot.session.quit();
    } catch {
      slot.session.destroy();
    }
    this.#checkSettled();
  }

  #drop(slot: Slot): void {
    this.#remove(slot);
    if (!slot.session.closed) slot.session.destroy();
  }

  #failQueue(failure: PoolFailure): void {
    const queued = this.#queue.splice(0);
    const { failure: reason, reply, message } = failure;
    for (const r of queued)
      r.resolve({ kind: 'failure', failure: reason, reply, message, tls: false });
  }

  #checkSettled(): void {
    if (this.#queue.length > 0 || this.#busyCount() > 0 || this.#connecting > 0) return;
    const waiters = this.#closeWaiters.splice(0);
    for (const resolve of waiters) resolve();
    if (this.#slots.size === 0) this.#o.onEmpty?.();
  }
}
