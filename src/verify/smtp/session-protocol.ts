import type { Socket } from 'node:net';
import { publish } from '../../observability/channels.js';
import type { SmtpCommand } from './command.js';
import { ReplyParseError, ReplyParser, type ReplyLimits } from './reply-parser.js';
import { SmtpSessionError, type SessionErrorKind, type SessionPhase } from './session-error.js';
import type { SmtpReply } from './smtp-reply.js';

/** One expected reply: to a command, or (no command) to the connection itself (banner). */
export interface Expectation {
  command?: SmtpCommand;
  phase: SessionPhase;
  timeoutMs: number;
}

interface Group {
  expected: number;
  replies: SmtpReply[];
  phases: SessionPhase[];
  resolve(replies: SmtpReply[]): void;
  reject(error: SmtpSessionError): void;
}

interface Pending extends Expectation {
  group: Group;
}

/**
 * The wire side of one session (≈ undici client-h1): writes command groups,
 * keeps a FIFO of commands awaiting replies, matches each reply to the oldest
 * pending command, and runs the reply timer of the command at the head.
 * Any failure (timeout, close, garbage, caps, 421) is fatal: every pending
 * command is rejected and the socket destroyed, so a late reply can never be
 * attributed to a later command.
 */
export class SessionProtocol {
  private socket: Socket;
  private parser: ReplyParser;
  private readonly fifo: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private socketError: Error | undefined;
  private isClosed = false;
  /** Writes made (one per command group): round trips spent, for stats. */
  writes = 0;

  constructor(
    socket: Socket,
    private readonly limits: ReplyLimits,
  ) {
    this.socket = socket;
    this.parser = new ReplyParser(limits);
    this.listen(socket);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /**
   * Write the commands of `items` in one write and resolve with their replies
   * in order. Items without a command (banner) only wait.
   */
  exchange(items: readonly Expectation[]): Promise<SmtpReply[]> {
    return new Promise((resolve, reject) => {
      const first = items[0]?.phase ?? 'quit';
      if (this.isClosed) {
        reject(new SmtpSessionError(first, 'closed', 'the connection is closed'));
        return;
      }
      const group: Group = {
        expected: items.length,
        replies: [],
        phases: items.map((i) => i.phase),
        resolve,
        reject,
      };
      for (const item of items) this.fifo.push({ ...item, group });
      const text = items.map((i) => i.command?.line ?? '').join('');
      if (text) {
        this.writes++;
        this.socket.write(text);
      }
      if (this.fifo.length === items.length) this.armTimer();
    });
  }

  /**
   * Stop reading so TLS can take over the socket (after a 220 to STARTTLS).
   * Bytes already received after that 220 were sent before TLS and cannot be
   * trusted (STARTTLS response injection): they fail the upgrade.
   */
  detach(): Socket {
    if (this.isClosed) throw new SmtpSessionError('starttls', 'closed', 'the connection is closed');
    if (this.parser.buffered > 0 || this.fifo.length > 0) {
      this.fail('starttls', 'tls', 'data received after the STARTTLS reply, before the handshake');
      throw new SmtpSessionError('starttls', 'tls', 'plaintext injected before TLS handshake');
    }
    this.unlisten(this.socket);
    // Keep an error listener so a failing handshake cannot crash the process.
    this.socket.on('error', noop);
    return this.socket;
  }

  /** Resume on the upgraded (TLS) socket. */
  attach(socket: Socket): void {
    this.socket = socket;
    this.parser = new ReplyParser(this.limits);
    this.listen(socket);
  }

  /** Fail every pending command with kind `closed` and destroy the socket. */
  destroy(reason = 'the session was destroyed'): void {
    if (this.isClosed) return;
    this.fail(this.fifo[0]?.phase ?? 'quit', 'closed', reason);
  }

  /** Close after a clean goodbye (QUIT answered): nothing is pending, nobody to reject. */
  end(): void {
    this.isClosed = true;
    this.clearTimer();
    this.socket.destroy();
  }

  private listen(socket: Socket): void {
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
  }

  private unlisten(socket: Socket): void {
    socket.off('data', this.onData);
    socket.off('error', this.onError);
    socket.off('close', this.onClose);
  }

  private readonly onData = (chunk: Buffer): void => {
    let replies: SmtpReply[];
    try {
      replies = this.parser.push(chunk);
    } catch (error) {
      // Replies completed before the fault still belong to their commands.
      if (error instanceof ReplyParseError) this.deliver(error.replies);
      const kind = error instanceof ReplyParseError ? error.kind : 'protocol';
      this.fail(this.fifo[0]?.phase ?? 'quit', kind, (error as Error).message, error);
      return;
    }
    this.deliver(replies);
  };

  private deliver(replies: SmtpReply[]): void {
    for (const reply of replies) {
      if (this.isClosed) return;
      this.onReply(reply);
    }
  }

  private readonly onError = (error: Error): void => {
    this.socketError = error;
  };

  private readonly onClose = (): void => {
    const why = this.socketError
      ? `connection lost: ${this.socketError.message}`
      : 'the server closed the connection';
    this.fail(this.fifo[0]?.phase ?? 'quit', 'closed', why, this.socketError);
  };

  private onReply(reply: SmtpReply): void {
    const head = this.fifo.shift();
    if (!head) {
      // RFC 5321 §4.5.3.2: an idle server may say 421 and close; anything else
      // unsolicited means we no longer know which reply answers what.
      const why = reply.code === 421 ? 'the server closed an idle session' : 'unsolicited reply';
      this.fail('quit', reply.code === 421 ? 'closed' : 'protocol', `${why} (${reply.code})`);
      return;
    }
    publish('smtpReply', {
      command: head.command?.verb ?? 'BANNER',
      replyClass: `${String(reply.code)[0]}xx`,
    });
    if (reply.code === 421) {
      // The server is closing the transmission channel (RFC 5321 §3.8).
      this.fifo.unshift(head);
      this.fail(head.phase, 'rejected', `421 ${reply.message}`, undefined, reply);
      return;
    }
    const group = head.group;
    group.replies.push(reply);
    this.armTimer();
    if (group.replies.length === group.expected) group.resolve(group.replies);
  }

  private armTimer(): void {
    this.clearTimer();
    const head = this.fifo[0];
    if (!head) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.fail(head.phase, 'timeout', `no reply within ${head.timeoutMs} ms`);
    }, head.timeoutMs);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private fail(
    phase: SessionPhase,
    kind: SessionErrorKind,
    message: string,
    cause?: unknown,
    reply?: SmtpReply,
  ): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.clearTimer();
    const groups = new Set(this.fifo.map((p) => p.group));
    if (this.fifo[0] && !reply) {
      publish('smtpReply', { command: this.fifo[0].command?.verb ?? 'BANNER', replyClass: 'none' });
    }
    this.fifo.length = 0;
    this.socket.destroy();
    for (const group of groups) {
      const partial = group.replies.filter((_, i) => group.phases[i] === 'rcpt');
      const hasRcpt = group.phases.includes('rcpt');
      const failedPhase = group.phases[group.replies.length] ?? phase;
      group.reject(
        new SmtpSessionError(failedPhase, kind, message, {
          reply,
          cause,
          partial: hasRcpt ? partial : undefined,
        }),
      );
    }
  }
}

function noop(): void {}
