import { MailvetError } from '../../errors.js';
import type { SmtpReply } from './smtp-reply.js';

/** The step of an SMTP session that failed. */
export type SessionPhase =
  'connect' | 'banner' | 'ehlo' | 'helo' | 'starttls' | 'mail' | 'rcpt' | 'rset' | 'quit';

/**
 * How it failed:
 * - `timeout`: no (complete) reply within the phase timeout;
 * - `refused`: the connection could not be made (see `causeCode`);
 * - `closed`: the peer closed the connection, or the session was destroyed;
 * - `rejected`: the server refused with a reply (`reply`): a non-2xx banner,
 *   EHLO/HELO refusal, or a 421 at any point (the server is closing);
 * - `protocol`: the peer broke the protocol (garbage, unsolicited reply);
 * - `too_long`: a reply line or a whole reply exceeded its cap;
 * - `tls`: the STARTTLS handshake failed.
 */
export type SessionErrorKind =
  'timeout' | 'refused' | 'closed' | 'rejected' | 'protocol' | 'too_long' | 'tls';

export interface SessionErrorDetails {
  reply?: SmtpReply;
  partial?: SmtpReply[];
  cause?: unknown;
}

/**
 * An SMTP session failed (code `MV_ERR_SMTP_SESSION`). After any of these the
 * session is closed; the caller branches on `kind` and `phase`.
 */
export class SmtpSessionError extends MailvetError {
  readonly phase: SessionPhase;
  readonly kind: SessionErrorKind;
  /** The reply that caused the failure, e.g. the 421 or the 554 banner. */
  readonly reply?: SmtpReply;
  /** RCPT replies received before the failure (e.g. a 421 mid-pipeline). */
  partial?: SmtpReply[];
  /**
   * `code` of a MailvetError cause, e.g. the socket factory's
   * `MV_ERR_UNROUTABLE_ADDRESS` or `MV_ERR_CONNECT_TIMEOUT`; else null.
   */
  readonly causeCode: string | null;

  constructor(
    phase: SessionPhase,
    kind: SessionErrorKind,
    message: string,
    details: SessionErrorDetails = {},
  ) {
    super('MV_ERR_SMTP_SESSION', `SMTP ${phase}: ${message}`, 502, { cause: details.cause });
    this.name = 'SmtpSessionError';
    this.phase = phase;
    this.kind = kind;
    if (details.reply) this.reply = details.reply;
    if (details.partial) this.partial = details.partial;
    const cause = details.cause;
    this.causeCode = cause instanceof MailvetError ? cause.code : null;
  }
}
