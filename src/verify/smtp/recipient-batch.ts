import type { SmtpReply } from './smtp-reply.js';

/**
 * Why a pool could not get an answer for a recipient from its host. The
 * prober turns these into failover decisions and, when every host failed,
 * into an outcome.
 */
export type RecipientFailure =
  | 'refused' // TCP connect refused / unreachable
  | 'timeout' // any phase timed out (tarpit, dead host)
  | 'closed' // the server dropped the connection
  | 'throttled' // 421: the host asks us to go away for now
  | 'blocked' // policy refusal of us: 554 banner, 5.7.x/4.7.x
  | 'protocol' // unparseable or overlong replies
  | 'tls' // STARTTLS failed
  | 'breaker_open' // our breaker for this host is open
  | 'unroutable' // the SSRF guard refused the address
  | 'smtputf8_unsupported' // non-ASCII local part, host offers no SMTPUTF8 (RFC 6531 §3.2)
  | 'closing'; // the prober is shutting down

/** What a pool reports for one recipient. */
export type RecipientResult =
  | {
      kind: 'reply';
      /** `mail` when MAIL FROM was refused and stands for every recipient. */
      stage: 'mail' | 'rcpt';
      reply: SmtpReply;
      tls: boolean;
    }
  | {
      kind: 'failure';
      failure: RecipientFailure;
      reply?: SmtpReply;
      message: string;
      tls: boolean;
    };

/** One recipient waiting in a host pool's queue. */
export interface RecipientRequest {
  /** A-label domain: transactions never mix domains. */
  domain: string;
  /** Wire form `localPart@asciiDomain`. */
  recipient: string;
  /** Needs the SMTPUTF8 MAIL parameter. */
  smtputf8: boolean;
  /** Clock reading when queued, for the pool-wait metric. */
  enqueuedAt: number;
  /** Times put back after a 452 4.5.3 or a stale pooled connection. */
  requeues: number;
  resolve(result: RecipientResult): void;
}

/** Recipients sharing a transaction must share domain and SMTPUTF8 need. */
export function batchKey(request: RecipientRequest): string {
  return request.smtputf8 ? `${request.domain}\u0000utf8` : request.domain;
}

/**
 * Remove and return up to `max` queued requests of the head request's batch
 * key, keeping queue order. The head always goes first so no domain starves.
 */
export function takeBatch(queue: RecipientRequest[], max: number): RecipientRequest[] {
  const head = queue[0];
  if (!head) return [];
  const key = batchKey(head);
  const batch: RecipientRequest[] = [];
  let write = 0;
  for (let read = 0; read < queue.length; read++) {
    const request = queue[read];
    if (batch.length < max && batchKey(request) === key) batch.push(request);
    else queue[write++] = request;
  }
  queue.length = write;
  return batch;
}
