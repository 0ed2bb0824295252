/**
 * Behaviour of a scripted SMTP peer (test/world/smtp-peer.ts). Every field is
 * optional; the defaults describe a polite, modern MTA that accepts only the
 * addresses in `accept`. Behaviour can be changed while the peer runs with
 * `peer.configure(...)`.
 */
export interface SmtpPeerBehaviour {
  /** Name in the banner and EHLO greeting. Default `mx.test`. */
  hostname?: string;
  /** Local parts or full addresses (case-insensitive) accepted at RCPT; others get 550 5.1.1. */
  accept?: Iterable<string>;
  /** Accept every recipient (catch-all domain). */
  catchAll?: boolean;
  /** The first N attempts per (client IP, sender, recipient) triplet get 450 4.2.0, then normal handling. */
  greylist?: number;
  /** Serve K commands per connection, then answer the next one with 421 and close. */
  throttleAfterCommands?: number;
  /** Answer the banner with 421 and close (host throttling at connect). */
  throttleAtBanner?: boolean;
  /** More simultaneous connections than this get a 421 banner. */
  maxConcurrentConnections?: number;
  /** Recipients beyond R in one transaction get 452 4.5.3. Defaults to `rcptMax` when that is set. */
  maxRecipientsPerTransaction?: number;
  /** Advertise `LIMITS RCPTMAX=n` (RFC 9422). */
  rcptMax?: number;
  /** Extra delay for every reply, banner included (a tarpit). */
  tarpitMs?: number;
  /** Extra delay per verb; `BANNER` for the greeting. Adds to `tarpitMs`. */
  tarpitByVerb?: Partial<Record<PeerVerb, number>>;
  /**
   * Per-reply latency R: each reply is due at (arrival of its command + R), not
   * serialised behind the previous reply, so pipelined commands cost one R.
   */
  latencyMs?: number;
  /**
   * Extra delay of the RCPT reply for these recipients (address or local
   * part, case-insensitive), on top of the other delays. Replies still leave
   * in command order, so a slow recipient also holds back the replies
   * pipelined after it on its connection.
   */
  rcptLatencyMs?: Record<string, number>;
  /** Reply to the first N commands of a connection, then destroy the socket. */
  dropAfterCommands?: number;
  /** Every RCPT gets 554 5.7.1 (our IP on a block list). */
  blockRcpt?: boolean;
  /** Replace the banner: full reply line(s), e.g. `554 5.7.1 No SMTP service here`. */
  banner?: ReplyText;
  /** Advertise PIPELINING. Default true. */
  pipelining?: boolean;
  /**
   * STARTTLS: `true` offers it with the test certificate; `'refuse'` offers it
   * and answers 454; `'broken'` answers 220 then sends garbage (handshake fails).
   * Default false.
   */
  starttls?: boolean | 'refuse' | 'broken';
  /** Advertise SMTPUTF8 (RFC 6531). */
  smtputf8?: boolean;
  /** Answer EHLO with 500 so the client must fall back to HELO. */
  refuseEhlo?: boolean;
  /** Reply overrides per recipient (address or local part, case-insensitive) → full reply line(s). */
  replies?: Record<string, ReplyText>;
  /** Reply overrides per verb (e.g. `{ MAIL: '550 5.7.1 Sender rejected' }`), checked before built-in handling. */
  verbReplies?: Partial<Record<PeerVerb, ReplyText>>;
}

/** One reply line (`250 OK`) or several full lines (`['250-a', '250 b']`), written verbatim. */
export type ReplyText = string | string[];

export type PeerVerb =
  | 'BANNER'
  | 'EHLO'
  | 'HELO'
  | 'STARTTLS'
  | 'MAIL'
  | 'RCPT'
  | 'RSET'
  | 'NOOP'
  | 'QUIT'
  | 'DATA'
  | 'VRFY'
  | 'OTHER';

export interface SmtpPeerOptions extends SmtpPeerBehaviour {
  /** Loopback address to bind, e.g. `127.0.1.7` (see helper rules for ranges). */
  host: string;
  /** Default 25. */
  port?: number;
}

export const DEFAULT_PEER_PORT = 25;
export const DEFAULT_PEER_HOSTNAME = 'mx.test';
/** Longest command line the peer reads before answering 500 and closing. */
export const PEER_MAX_LINE_BYTES = 4096;
