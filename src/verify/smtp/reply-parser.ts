import type { SmtpReply } from './smtp-reply.js';

/**
 * RFC 5321 §4.5.3.1.5 caps a reply line at 512 octets, but real servers
 * (Exchange, long policy URLs) exceed it; we tolerate 4× and still stay bounded.
 */
export const DEFAULT_MAX_LINE_LENGTH = 2048;
/** A multi-line reply (EHLO, Gmail's 5.1.1 essay) never needs more than this. */
export const DEFAULT_MAX_REPLY_BYTES = 64 * 1024;

export interface ReplyLimits {
  /** Bytes per line, CRLF excluded. */
  maxLineLength: number;
  /** Bytes per complete reply, all lines and line ends included. */
  maxReplyBytes: number;
}

/** The peer sent something that is not an SMTP reply, or one that is too big. */
export class ReplyParseError extends Error {
  readonly kind: 'protocol' | 'too_long';
  /** Complete replies parsed from the same chunk before the fault; deliver these first. */
  replies: SmtpReply[] = [];
  constructor(kind: 'protocol' | 'too_long', message: string) {
    super(message);
    this.name = 'ReplyParseError';
    this.kind = kind;
  }
}

const LINE = /^([2-5][0-9][0-9])(?:([ -])(.*))?$/s;
/** RFC 3463: class.subject.detail, subject and detail 1–3 digits. */
const ENHANCED = /^([245])\.([0-9]{1,3})\.([0-9]{1,3})(?=\s|$)\s*/;
/** Control characters never reach logs or results (C0 except TAB, DEL, C1). */
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;

/**
 * Incremental reply reader: feed it socket chunks, get complete replies.
 * Lines may be split across chunks and many replies may share one chunk.
 * Tolerates bare LF line ends. Throws ReplyParseError and must then be
 * discarded (the connection is unusable).
 */
export class ReplyParser {
  private pending: Buffer = Buffer.alloc(0);
  private lines: string[] = [];
  private code = '';
  private replyBytes = 0;

  constructor(private readonly limits: ReplyLimits) {}

  /** Bytes received but not yet part of a complete reply. */
  get buffered(): number {
    return this.pending.length + this.replyBytes;
  }

  push(chunk: Buffer): SmtpReply[] {
    const out: SmtpReply[] = [];
    try {
      this.consume(chunk, out);
    } catch (error) {
      if (error instanceof ReplyParseError) error.replies = out;
      throw error;
    }
    return out;
  }

  private consume(chunk: Buffer, out: SmtpReply[]): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let start = 0;
    let nl: number;
    while ((nl = this.pending.indexOf(0x0a, start)) !== -1) {
      let end = nl;
      if (end > start && this.pending[end - 1] === 0x0d) end--;
      this.checkLine(end - start, 0);
      this.replyBytes += nl + 1 - start;
      if (this.replyBytes > this.limits.maxReplyBytes) {
        throw new ReplyParseError('too_long', `reply exceeds ${this.limits.maxReplyBytes} bytes`);
      }
      const reply = this.line(this.pending.toString('utf8', start, end));
      if (reply) out.push(reply);
      start = nl + 1;
    }
    this.pending = this.pending.subarray(start);
    // Do not wait for a newline that would only prove the line too long
    // (one byte of slack: a CR may still be waiting for its LF).
    this.checkLine(this.pending.length, 1);
    if (this.replyBytes + this.pending.length > this.limits.maxReplyBytes) {
      throw new ReplyParseError('too_long', `reply exceeds ${this.limits.maxReplyBytes} bytes`);
    }
  }

  private checkLine(bytes: number, slack: number): void {
    if (bytes > this.limits.maxLineLength + slack) {
      throw new ReplyParseError(
        'too_long',
        `reply line exceeds ${this.limits.maxLineLength} bytes`,
      );
    }
  }

  private line(text: string): SmtpReply | null {
    const m = LINE.exec(text);
    if (!m) throw new ReplyParseError('protocol', `not an SMTP reply line: ${preview(text)}`);
    const [, code, sep = ' ', rest = ''] = m;
    if (this.lines.length > 0 && code !== this.code) {
      throw new ReplyParseError('protocol', `reply code changed from ${this.code} to ${code}`);
    }
    this.code = code;
    this.lines.push(rest);
    if (sep === '-') return null;
    const reply = buildReply(Number(code), this.lines);
    this.lines = [];
    this.code = '';
    this.replyBytes = 0;
    return reply;
  }
}

/**
 * Build a reply from its code and raw line texts (after `250-`/`250 `):
 * strips an enhanced status code from each line when its class matches the
 * reply's first digit (RFC 3463 / RFC 2034), and removes control characters.
 */
export function buildReply(code: number, rawLines: readonly string[]): SmtpReply {
  const klass = String(code)[0];
  let enhancedCode: string | null = null;
  const lines = rawLines.map((raw) => {
    const text = raw.replace(CONTROL, ' ').trimEnd();
    const m = ENHANCED.exec(text);
    if (!m || m[1] !== klass) return text;
    enhancedCode ??= `${m[1]}.${Number(m[2])}.${Number(m[3])}`;
    return text.slice(m[0].length);
  });
  return { code, enhancedCode, lines, message: lines.join(' ').trim() };
}

/**
 * Parse complete reply text (`"550-5.1.1 a\r\n550 5.1.1 b"`) into one reply.
 * For tests, fixtures and the classifier's table; the session uses ReplyParser.
 */
export function parseReply(text: string): SmtpReply {
  const parser = new ReplyParser({ maxLineLength: 65_536, maxReplyBytes: 1 << 20 });
  const body = text.endsWith('\n') ? text : `${text}\r\n`;
  const replies = parser.push(Buffer.from(body, 'utf8'));
  if (replies.length !== 1 || parser.buffered !== 0) {
    throw new ReplyParseError('protocol', 'expected exactly one complete reply');
  }
  return replies[0];
}

function preview(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}
