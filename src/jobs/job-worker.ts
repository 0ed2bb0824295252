import type { EpochMs } from '../store/schema.js';
import type { Verifier } from '../verify/verifier-types.js';
import type { VerificationResult } from '../verify/result.js';
import type { ClaimedBatch, ClaimedItem, ItemOutcome, JobQueue } from './job-queue.js';
import type { JobOptions } from './job-view.js';
import type { JobsConfig } from './jobs-config.js';

/** The slice of a pino logger the workers use. */
export interface JobLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Results buffered before they are written in one transaction. */
export const FLUSH_ROWS = 50;
/** …or after this long, so a slow batch still shows progress. */
export const FLUSH_INTERVAL_MS = 500;
/** Pause after a database error before the loop tries again. */
export const ERROR_BACKOFF_MS = 1000;

export interface ClaimLoopOptions {
  id: string;
  queue: JobQueue;
  verifier: Verifier;
  jobs: JobsConfig;
  /** Job options by id (cached by the caller). */
  jobOptions(jobId: string): Promise<JobOptions>;
  log: JobLog;
  /** Resolves when the loop should stop taking work (graceful stop). */
  stopping: AbortSignal;
  /**
   * Fires when the current batch must be given up (stop grace exceeded):
   * verification stops at once, finished results are written, the other
   * items are released (pending again, no lease, the claim not counted).
   */
  abort: AbortSignal;
  /** Called after a batch and when idle: completion check, webhooks. */
  afterRound?(jobId?: string): Promise<void>;
  now?: () => EpochMs;
}

/**
 * One claim loop: claim a batch of one (job, domain), verify it through
 * `verifyMany` (so the SMTP pool batches it into sessions), write each
 * result as it finishes, repeat; sleep `pollIntervalMs` when idle. Database
 * errors (a restarting PostgreSQL) are logged and retried: nothing is lost,
 * because unwritten items keep their lease until it expires and are then
 * claimed again.
 */
export async function runClaimLoop(o: ClaimLoopOptions): Promise<void> {
  const now = o.now ?? Date.now;
  const leaseMs = o.jobs.leaseSeconds * 1000;
  while (!o.stopping.aborted) {
    try {
      await o.queue.reapExpired(now(), o.jobs.maxAttempts);
      const batch = await o.queue.claim(o.id, o.jobs.batchSize, leaseMs, now());
      if (!batch) {
        await o.afterRound?.();
        await sleep(o.jobs.pollIntervalMs, o.stopping);
        continue;
      }
      await processBatch(o, batch, leaseMs, now);
      // Past the stop grace nothing more is done (a webhook delivery could
      // take its whole timeout); any other worker completes the job.
      if (!o.abort.aborted) await o.afterRound?.(batch.jobId);
    } catch (err) {
      o.log.warn({ err, worker: o.id }, 'job worker round failed; retrying');
      await sleep(ERROR_BACKOFF_MS, o.stopping);
    }
  }
}

async function processBatch(
  o: ClaimLoopOptions,
  batch: ClaimedBatch,
  leaseMs: number,
  now: () => EpochMs,
): Promise<void> {
  const { smtp } = await o.jobOptions(batch.jobId);
  const unwritten = new Map<number, ClaimedItem>(batch.items.map((i) => [i.itemNo, i]));
  const renew = setInterval(
    () => {
      o.queue.renew(o.id, leaseMs, now()).catch((err: unknown) => {
        o.log.warn({ err, worker: o.id }, 'lease renewal failed');
      });
    },
    Math.max(1000, Math.floor(leaseMs / 3)),
  );
  renew.unref();
  let buffer: ItemOutcome[] = [];
  let lastFlush = now();
  const flush = async () => {
    if (buffer.length === 0) return;
    const outcomes = buffer;
    buffer = [];
    await writeWithRetry(o, batch.jobId, outcomes, leaseMs, now);
    for (const x of outcomes) unwritten.delete(x.itemNo);
    lastFlush = now();
  };
  try {
    const emails = batch.items.map((i) => i.email);
    // The stop signal ends the iteration at once, even while every
    // verification still waits on a slow server: what finished is written
    // below, the rest was never verified and is released.
    const results = o.verifier.verifyMany(emails, { smtp, signal: o.abort });
    for await (const { index, result } of results) {
      buffer.push(decide(batch.items[index], result, o.jobs.maxAttempts, now()));
      if (buffer.length >= FLUSH_ROWS || now() - lastFlush >= FLUSH_INTERVAL_MS) await flush();
      if (o.abort.aborted) break;
    }
    // Also when stopping: these results are finished work (one try; a
    // failed write releases them below like the rest).
    await flush();
  } finally {
    clearInterval(renew);
    if (unwritten.size > 0) {
      // Stopping (or a failed write): hand the rest back now instead of
      // making another worker wait for the lease to expire. The claim does
      // not count as an attempt.
      await o.queue
        .release(o.id, { jobId: batch.jobId, itemNos: [...unwritten.keys()] })
        .catch((err: unknown) => {
          o.log.warn({ err, worker: o.id }, 'releasing unfinished items failed');
        });
    }
  }
}

/**
 * Greylisting and other temporary answers that name a wait go back to the
 * queue with `not_before`, until the item has used its attempts; then the
 * last answer is final.
 */
export function decide(
  item: ClaimedItem,
  result: VerificationResult,
  maxAttempts: number,
  now: EpochMs,
): ItemOutcome {
  if (result.retryable && result.retryAfterSeconds !== undefined && item.attempts < maxAttempts) {
    return { itemNo: item.itemNo, result, retryAt: now + result.retryAfterSeconds * 1000 };
  }
  return { itemNo: item.itemNo, result };
}

/** Keep trying while our leases can still be valid; after that another worker owns the items. */
async function writeWithRetry(
  o: ClaimLoopOptions,
  jobId: string,
  outcomes: ItemOutcome[],
  leaseMs: number,
  now: () => EpochMs,
): Promise<void> {
  const giveUpAt = now() + leaseMs;
  for (;;) {
    try {
      await o.queue.write(o.id, jobId, outcomes, now());
      return;
    } catch (err) {
      if (now() >= giveUpAt || o.abort.aborted) throw err;
      o.log.warn({ err, worker: o.id }, 'writing results failed; retrying');
      await sleep(ERROR_BACKOFF_MS, o.abort);
    }
  }
}

/** Resolve after `ms`, or at once when `signal` fires. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
