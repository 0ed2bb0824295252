import type { SmtpInfo } from '../result.js';
import type { GreylistSchedule } from './greylist-schedule.js';
import type { HostPool } from './pool.js';
import { outcomeOfFailures, outcomeOfReply, uncheckedInfo } from './prober-outcome.js';
import type { RecipientFailure, RecipientResult } from './recipient-batch.js';
import type { SmtpOutcome } from './smtp-verdict.js';

/** One address of one MX host, in failover order. */
export interface Candidate {
  exchange: string;
  ip: string;
}

/** What the prober needs to walk one recipient through failover and retries. */
export interface RecipientProbeContext {
  poolFor(ip: string, exchange: string): HostPool;
  greylist: GreylistSchedule;
  maxHostAttempts: number;
  temporaryRetryAfterSeconds: number;
  now(): number;
  /** The prober is being cut (close with a fired signal): stop waiting out greylisting. */
  stop?: AbortSignal;
}

export interface RecipientVerdict {
  outcome: SmtpOutcome;
  smtp: SmtpInfo;
  retryAfterSeconds?: number;
}

function submit(
  pool: HostPool,
  domain: string,
  recipient: string,
  smtputf8: boolean,
  now: number,
): Promise<RecipientResult> {
  return new Promise((resolve) =>
    pool.submit({ domain, recipient, smtputf8, enqueuedAt: now, requeues: 0, resolve }),
  );
}

/** Wait `ms`, or less when `stop` fires. */
function sleep(ms: number, stop?: AbortSignal): Promise<void> {
  if (stop?.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      stop?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    stop?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Ask the hosts, in preference order, about one recipient. Connection
 * failures, timeouts, 421, blocks and open breakers move on to the next IP or
 * host; any reply about the mailbox itself (2xx, 5.1.1…) is final — failing
 * over on a user answer would ask a backup MX that accepts everything.
 * Greylisting is waited out on the same host while the budget allows.
 *
 * The first submit happens synchronously, so callers that start several
 * probes in one tick get them queued in that order.
 */
export async function probeRecipient(
  ctx: RecipientProbeContext,
  candidates: readonly Candidate[],
  domain: string,
  recipient: string,
  smtputf8: boolean,
): Promise<RecipientVerdict> {
  const started = ctx.now();
  const tried = candidates;
  const maxNetworkAttempts = Math.max(1, ctx.maxHostAttempts);
  const failures: RecipientFailure[] = [];
  let attempts = 0;
  // Only attempts that reached the network use up the failover cap: a host
  // whose addresses the SSRF guard refuses, or whose breaker is open, must
  // not hide a public backup MX behind it (that would be a false unroutable_mx).
  let networkAttempts = 0;
  let greylistRetries = 0;
  let last: SmtpInfo = uncheckedInfo(tried[0]?.exchange ?? null);
  for (let i = 0; i < tried.length && networkAttempts < maxNetworkAttempts; i++) {
    const candidate = tried[i];
    const result = await submit(
      ctx.poolFor(candidate.ip, candidate.exchange),
      domain,
      recipient,
      smtputf8,
      ctx.now(),
    );
    if (!(result.kind === 'failure' && result.failure === 'breaker_open')) attempts++;
    const local =
      result.kind === 'failure' &&
      (result.failure === 'breaker_open' || result.failure === 'unroutable');
    if (!local) networkAttempts++;
    const reply = result.reply;
    last = {
      checked: reply !== undefined,
      mxHost: candidate.exchange,
      code: reply?.code ?? null,
      enhancedCode: reply?.enhancedCode ?? null,
      message: reply?.message ?? (result.kind === 'failure' ? result.message : null),
      tls: result.tls,
      attempts,
    };
    if (result.kind === 'failure') {
      failures.push(result.failure);
      continue;
    }
    const outcome = outcomeOfReply(result);
    if (outcome === 'greylisted') {
      const delay = ctx.stop?.aborted
        ? null
        : ctx.greylist.next(greylistRetries, ctx.now() - started);
      if (delay === null) {
        return {
          outcome,
          smtp: last,
          retryAfterSeconds: ctx.greylist.retryAfterSeconds(greylistRetries),
        };
      }
      greylistRetries++;
      await sleep(delay, ctx.stop);
      i--; // greylists remember per host: ask the same one again
      networkAttempts--; // …which is the same attempt, not a failover
      continue;
    }
    if (outcome === 'temporary_error') {
      return { outcome, smtp: last, retryAfterSeconds: ctx.temporaryRetryAfterSeconds };
    }
    return { outcome, smtp: last };
  }
  const outcome = outcomeOfFailures(failures);
  if (outcome === 'temporary_error' || outcome === 'mx_unavailable') {
    return { outcome, smtp: last, retryAfterSeconds: ctx.temporaryRetryAfterSeconds };
  }
  return { outcome, smtp: last };
}
