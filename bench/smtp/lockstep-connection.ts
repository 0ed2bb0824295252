import type { Socket } from 'node:net';
import type { SmtpCommand } from '../../src/verify/smtp/command.js';
import {
  DEFAULT_MAX_LINE_LENGTH,
  DEFAULT_MAX_REPLY_BYTES,
  ReplyParser,
} from '../../src/verify/smtp/reply-parser.js';
import type { SmtpReply } from '../../src/verify/smtp/smtp-reply.js';

/** How long the baseline waits for any one reply before giving up on the address. */
export const LOCKSTEP_REPLY_TIMEOUT_MS = 30_000;

/**
 * A deliberately naive SMTP client, the way open-source verifiers talk:
 * write one command, wait for its (possibly multi-line) reply, then the next.
 * Never more than one command in flight, so every command is a round trip.
 */
export class LockstepConnection {
  readonly #socket: Socket;
  readonly #parser = new ReplyParser({
    maxLineLength: DEFAULT_MAX_LINE_LENGTH,
    maxReplyBytes: DEFAULT_MAX_REPLY_BYTES,
  });
  readonly #ready: SmtpReply[] = [];
  #waiter: { resolve(r: SmtpReply): void; reject(e: Error): void } | undefined;
  #failure: Error | undefined;

  constructor(
    socket: Socket,
    private readonly timeoutMs = LOCKSTEP_REPLY_TIMEOUT_MS,
  ) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const reply of this.#parser.push(chunk)) this.#deliver(reply);
      } catch (error) {
        this.#fail(error as Error);
        socket.destroy();
      }
    });
    socket.on('error', (error) => this.#fail(error));
    socket.on('close', () => this.#fail(new Error('connection closed by peer')));
  }

  /** The next reply (the banner first). Rejects on timeout, close or a malformed reply. */
  read(): Promise<SmtpReply> {
    const queued = this.#ready.shift();
    if (queued) return Promise.resolve(queued);
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise<SmtpReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        reject(new Error(`no reply within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.#waiter = {
        resolve: (r) => (clearTimeout(timer), resolve(r)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      };
    });
  }

  /** Write one command alone and wait for its reply. */
  send(command: SmtpCommand): Promise<SmtpReply> {
    this.#socket.write(command.line);
    return this.read();
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #deliver(reply: SmtpReply): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (waiter) waiter.resolve(reply);
    else this.#ready.push(reply);
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(this.#failure);
  }
}
