import { InvalidArgumentError } from '../../errors.js';
import { publish } from '../../observability/channels.js';
import type { Capabilities } from './capabilities.js';
import { mailCommand, quitCommand, rcptCommand, rsetCommand, type SmtpCommand } from './command.js';
import { SmtpSessionError, type SessionPhase } from './session-error.js';
import { establish } from './session-open.js';
import {
  resolveSessionOptions,
  type ResolvedSessionOptions,
  type SessionOptions,
} from './session-options.js';
import { canPipeline } from './session-pipelining.js';
import type { Expectation, SessionProtocol } from './session-protocol.js';
import type { SmtpReply } from './smtp-reply.js';

export type { Capabilities } from './capabilities.js';
export type { SessionOptions } from './session-options.js';
export type { SessionTimeouts } from './session-timeouts.js';
export { SmtpSessionError } from './session-error.js';
export type { SessionErrorKind, SessionPhase } from './session-error.js';

/** RFC 5321 §4.5.3.1.8 requires servers to take 100; we never ask for more than this. */
export const MAX_RECIPIENTS_PER_TRANSACTION = 1000;

export interface TransactionResult {
  /** Reply to MAIL FROM. */
  mail: SmtpReply;
  /** One reply per recipient, in order; empty when MAIL FROM was not 2xx. */
  recipients: SmtpReply[];
}

/**
 * One SMTP connection to one mail host (≈ undici's Client): opened greeted and
 * EHLO'd, optionally TLS, then used for any number of MAIL/RCPT transactions
 * without DATA. One operation at a time; any failure closes the session.
 */
export class SmtpSession {
  readonly banner: SmtpReply;
  readonly capabilities: Capabilities;
  readonly tls: boolean;
  /** True when STARTTLS failed and this is the plaintext retry connection. */
  readonly tlsFallback: boolean;
  readonly host: string;
  readonly servername: string | null;
  private completed = 0;
  private busy = false;
  /** A transaction is open on the server; the next one must start with RSET. */
  private needsReset = false;

  private constructor(
    private readonly protocol: SessionProtocol,
    private readonly options: Readonly<ResolvedSessionOptions>,
    est: { banner: SmtpReply; capabilities: Capabilities; tls: boolean },
    tlsFallback: boolean,
  ) {
    this.banner = est.banner;
    this.capabilities = Object.freeze({ ...est.capabilities, raw: [...est.capabilities.raw] });
    this.tls = est.tls;
    this.tlsFallback = tlsFallback;
    this.host = options.host;
    this.servername = options.servername;
  }

  /**
   * Connect, read the banner, EHLO (HELO fallback), STARTTLS when offered and
   * enabled (a failed handshake reconnects without TLS). Rejects with
   * InvalidArgumentError for bad options, else SmtpSessionError.
   */
  static async open(options: SessionOptions): Promise<SmtpSession> {
    const o = resolveSessionOptions(options);
    try {
      const est = await establish(o, o.starttls);
      return new SmtpSession(est.protocol, o, est, false);
    } catch (error) {
      // Opportunistic TLS (RFC 7435): a broken handshake must not cost the
      // verification. Reconnect in plaintext; a 421 at STARTTLS is a refusal.
      const tlsBroke =
        error instanceof SmtpSessionError &&
        error.phase === 'starttls' &&
        error.kind !== 'rejected';
      if (!o.starttls || !tlsBroke) throw error;
      const est = await establish(o, false);
      return new SmtpSession(est.protocol, o, est, true);
    }
  }

  get closed(): boolean {
    return this.protocol.closed;
  }

  /** Completed transactions (MAIL FROM accepted and every RCPT answered). */
  get transactions(): number {
    return this.completed;
  }

  /** Writes made on the connection: with pipelining, one per transaction. */
  get writes(): number {
    return this.protocol.writes;
  }

  /**
   * MAIL FROM + RCPT TO for each recipient. With PIPELINING all commands go in
   * one write (RFC 2920) and replies are matched in order; without it, one
   * command per round trip. When a previous transaction is still open, RSET
   * goes first (in the same write when pipelining). If MAIL FROM is not 2xx no
   * RCPT is sent (or, pipelined, their replies are read and dropped) and
   * `recipients` is empty. Every argument is checked before anything is
   * written; an unsafe one throws InvalidArgumentError and sends nothing.
   */
  async transaction(
    mailFrom: string,
    recipients: readonly string[],
    opts: { smtputf8?: boolean } = {},
  ): Promise<TransactionResult> {
    if (!Array.isArray(recipients) || recipients.length === 0) {
      throw new InvalidArgumentError('a transaction needs at least one recipient');
    }
    if (recipients.length > MAX_RECIPIENTS_PER_TRANSACTION) {
      throw new InvalidArgumentError(
        `at most ${MAX_RECIPIENTS_PER_TRANSACTION} recipients per transaction`,
      );
    }
    // SMTPUTF8 only when the server offered it (RFC 6531 §3.4); without it a
    // non-ASCII address is refused by the command builder below.
    const utf8 = opts.smtputf8 === true && this.capabilities.smtputf8;
    const t = this.options.timeouts;
    const reset = this.needsReset ? [this.expect(rsetCommand(), 'rset', t.rsetMs)] : [];
    const mail = this.expect(mailCommand(mailFrom, { smtputf8: utf8 }), 'mail', t.mailMs);
    const rcpts = recipients.map((r) => this.expect(rcptCommand(r, { utf8 }), 'rcpt', t.rcptMs));
    return this.exclusive('mail', async () => {
      const all = [...reset, mail, ...rcpts];
      const result = canPipeline(
        all.map((e) => e.command!.verb),
        this.capabilities,
      )
        ? await this.pipelined(all, reset.length)
        : await this.stepwise(reset, mail, rcpts);
      this.needsReset = isPositive(result.mail);
      if (this.needsReset) this.completed++;
      publish('smtpTransaction', { recipients: result.recipients.length });
      return result;
    });
  }

  /** RSET: end any open transaction so the session can be reused. */
  async reset(): Promise<SmtpReply> {
    return this.exclusive('rset', async () => {
      const [reply] = await this.protocol.exchange([
        this.expect(rsetCommand(), 'rset', this.options.timeouts.rsetMs),
      ]);
      if (isPositive(reply)) this.needsReset = false;
      return reply;
    });
  }

  /** QUIT, wait up to `quitMs` for the 221, close. Never throws. */
  async quit(): Promise<void> {
    if (this.protocol.closed || this.busy) {
      this.destroy();
      return;
    }
    this.busy = true;
    try {
      await this.protocol.exchange([
        this.expect(quitCommand(), 'quit', this.options.timeouts.quitMs),
      ]);
    } catch {
      // Nothing depends on the goodbye.
    } finally {
      this.protocol.end();
      this.busy = false;
    }
  }

  /** Close the connection now; pending operations reject with kind `closed`. */
  destroy(): void {
    this.protocol.destroy();
  }

  private expect(command: SmtpCommand, phase: SessionPhase, timeoutMs: number): Expectation {
    return { command, phase, timeoutMs };
  }

  private async pipelined(all: Expectation[], resets: number): Promise<TransactionResult> {
    const replies = await this.protocol.exchange(all);
    const mail = replies[resets];
    return { mail, recipients: isPositive(mail) ? replies.slice(resets + 1) : [] };
  }

  private async stepwise(
    reset: Expectation[],
    mail: Expectation,
    rcpts: Expectation[],
  ): Promise<TransactionResult> {
    for (const r of reset) await this.protocol.exchange([r]);
    const [mailReply] = await this.protocol.exchange([mail]);
    if (!isPositive(mailReply)) return { mail: mailReply, recipients: [] };
    const recipients: SmtpReply[] = [];
    for (const rcpt of rcpts) {
      try {
        const [reply] = await this.protocol.exchange([rcpt]);
        recipients.push(reply);
      } catch (error) {
        if (error instanceof SmtpSessionError)
          error.partial = [...recipients, ...(error.partial ?? [])];
        throw error;
      }
    }
    return { mail: mailReply, recipients };
  }

  /** One operation at a time: the FIFO matches replies, but callers must not interleave groups. */
  private async exclusive<T>(phase: SessionPhase, run: () => Promise<T>): Promise<T> {
    if (this.protocol.closed) throw new SmtpSessionError(phase, 'closed', 'the session is closed');
    if (this.busy) throw new InvalidArgumentError('the session is busy with another operation');
    this.busy = true;
    try {
      return await run();
    } finally {
      this.busy = false;
    }
  }
}

function isPositive(reply: SmtpReply): boolean {
  return reply.code >= 200 && reply.code < 300;
}
