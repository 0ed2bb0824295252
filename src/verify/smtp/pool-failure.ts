import type { SmtpReply } from './smtp-reply.js';
import type { RecipientFailure } from './recipient-batch.js';

/** A session error (or connect error) reduced to what the pool acts on. */
export interface PoolFailure {
  failure: RecipientFailure;
  reply?: SmtpReply;
  message: string;
  /** Counts against the host's circuit breaker. */
  hostFault: boolean;
}

interface ErrorShape {
  code?: unknown;
  causeCode?: unknown;
  kind?: unknown;
  phase?: unknown;
  reply?: SmtpReply;
  cause?: unknown;
  message?: unknown;
}

/** A refusal of us by policy rather than a fault: 554 banners, x.7.x codes. */
export function isPolicyBlock(reply: SmtpReply): boolean {
  if (reply.code < 400) return false;
  if (reply.enhancedCode && /^[45]\.7\./.test(reply.enhancedCode)) return true;
  return reply.code === 554;
}

function errorCodes(err: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = err;
  // Walk the cause chain: the session wraps the socket factory's error.
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const shape = current as ErrorShape;
    if (typeof shape.code === 'string') codes.push(shape.code);
    if (typeof shape.causeCode === 'string') codes.push(shape.causeCode);
    current = shape.cause;
  }
  return codes;
}

/** Map anything `SmtpSession.open`/`transaction` throws onto a pool failure. */
export function poolFailureOf(err: unknown): PoolFailure {
  const shape = (err && typeof err === 'object' ? err : {}) as ErrorShape;
  const message = typeof shape.message === 'string' ? shape.message : String(err);
  const codes = errorCodes(err);
  if (codes.includes('MV_ERR_UNROUTABLE_ADDRESS')) {
    return { failure: 'unroutable', message, hostFault: false };
  }
  // Our command guard refused an argument before anything was written: our
  // input, not the host, so the breaker stays closed.
  if (codes.includes('MV_ERR_INVALID_ARGUMENT'))
    return { failure: 'protocol', message, hostFault: false };
  // A broken proxy is our fault, not the mail host's: keep its breaker closed.
  if (codes.includes('MV_ERR_PROXY')) return { failure: 'refused', message, hostFault: false };
  if (codes.includes('MV_ERR_CONNECT_TIMEOUT'))
    return { failure: 'timeout', message, hostFault: true };
  const reply = shape.reply;
  switch (shape.kind) {
    case 'timeout':
      return { failure: 'timeout', reply, message, hostFault: true };
    case 'refused':
      return { failure: 'refused', reply, message, hostFault: true };
    case 'closed':
      return { failure: 'closed', reply, message, hostFault: true };
    case 'tls':
      return { failure: 'tls', reply, message, hostFault: true };
    case 'rejected': {
      if (reply?.code === 421) return { failure: 'throttled', reply, message, hostFault: true };
      if (reply && (isPolicyBlock(reply) || reply.code >= 500)) {
        return { failure: 'blocked', reply, message, hostFault: true };
      }
      return { failure: 'throttled', reply, message, hostFault: true };
    }
    case 'protocol':
    case 'too_long':
      return { failure: 'protocol', reply, message, hostFault: true };
    default:
      if (codes.some((c) => c.startsWith('MV_ERR_CONNECT'))) {
        return { failure: 'refused', message, hostFault: true };
      }
      return { failure: 'protocol', reply, message, hostFault: true };
  }
}
