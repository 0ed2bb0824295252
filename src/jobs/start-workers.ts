import { hostname } from 'node:os';
import type { Store } from '../store/store.js';
import type { Verifier } from '../verify/verifier-types.js';
import type { JobsConfig } from './jobs-config.js';
import type { JobOptions } from './job-view.js';
import { createJobQueue } from './job-queue.js';
import { JobService } from './job-service.js';
import { newWorkerId } from './job-id.js';
import { runClaimLoop, sleep, type JobLog } from './job-worker.js';
import { dispatchDueWebhooks } from './webhook-dispatcher.js';

/** How long `stop()` lets current batches finish before releasing them. */
export const DEFAULT_STOP_GRACE_MS = 10_000;
/** How often the workers look for imports whose importer died (also once at start). */
export const IMPORT_REAP_INTERVAL_MS = 60_000;
/** Job option entries cached per process (options never change after creation). */
const MAX_CACHED_OPTIONS = 1000;

export interface StartWorkersOptions {
  store: Pick<Store, 'db' | 'adapter'>;
  verifier: Verifier;
  jobs: JobsConfig;
  /** SMTP setting for jobs that did not choose (the config's `smtp.enabled`). */
  smtpDefault: boolean;
  log: JobLog;
  /** Claim loops; default `jobs.workers`. */
  loops?: number;
  /** How often to fail stale imports; default IMPORT_REAP_INTERVAL_MS. */
  importReapIntervalMs?: number;
  now?: () => number;
}

export interface JobWorkers {
  /** lease_owner ids of the claim loops. */
  readonly ids: readonly string[];
  /**
   * Stop taking work; current batches get `graceMs` to finish. Then their
   * verification stops without waiting for the engine (verifyMany's
   * signal): finished results are written, every other item is released for
   * other workers (pending, no lease, the claim not counted). Resolves when
   * all loops have ended. Idempotent. Work the engine still runs after that
   * is abandoned; `verifier.close({ signal })` cuts it.
   */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Run claim loops (and webhook delivery) in this process: used by `mailvet
 * serve` (in-process workers) and `mailvet worker`. The caller owns store and
 * verifier and closes them after `stop()`.
 */
export function startWorkers(o: StartWorkersOptions): JobWorkers {
  const queue = createJobQueue(o.store.db, o.store.adapter);
  const service = new JobService({ db: o.store.db, jobs: o.jobs, now: o.now });
  const stopping = new AbortController();
  const abort = new AbortController();
  const options = new Map<string, JobOptions>();
  const jobOptions = async (jobId: string): Promise<JobOptions> => {
    let found = options.get(jobId);
    if (!found) {
      const row = await o.store.db
        .selectFrom('jobs')
        .select('options')
        .where('id', '=', jobId)
        .executeTakeFirstOrThrow();
      const parsed = JSON.parse(row.options) as JobOptions;
      found = { smtp: parsed.smtp ?? o.smtpDefault };
      if (options.size >= MAX_CACHED_OPTIONS) options.clear();
      options.set(jobId, found);
    }
    return found;
  };

  let webhooksRunning = false;
  const afterRound = async (jobId?: string) => {
    await queue.completeFinished((o.now ?? Date.now)(), jobId);
    // One delivery pass at a time per process; other loops keep verifying.
    if (webhooksRunning) return;
    webhooksRunning = true;
    try {
      await dispatchDueWebhooks({ db: o.store.db, jobs: o.jobs, service, now: o.now });
    } finally {
      webhooksRunning = false;
    }
  };

  // Imports whose process died stay `importing` forever unless someone
  // fails them; every worker process checks at start and then periodically
  // (the UPDATE … WHERE state = 'importing' lets only one process win each).
  const reapImports = () => {
    service.failStaleImports().then(
      (ids) => {
        if (ids.length > 0) o.log.warn({ jobs: ids }, 'failed stale imports (no progress)');
      },
      (err: unknown) => o.log.warn({ err }, 'checking for stale imports failed'),
    );
  };
  reapImports();
  const reaper = setInterval(reapImports, o.importReapIntervalMs ?? IMPORT_REAP_INTERVAL_MS);
  reaper.unref();

  const host = hostname();
  const ids = Array.from({ length: o.loops ?? o.jobs.workers }, () => newWorkerId(host));
  const loops = ids.map((id) =>
    runClaimLoop({
      id,
      queue,
      verifier: o.verifier,
      jobs: o.jobs,
      jobOptions,
      log: o.log,
      stopping: stopping.signal,
      abort: abort.signal,
      afterRound,
      now: o.now,
    }),
  );
  const all = Promise.all(loops).then(() => undefined);
  let stopped: Promise<void> | undefined;
  return {
    ids,
    stop(graceMs = DEFAULT_STOP_GRACE_MS) {
      stopped ??= (async () => {
        clearInterval(reaper);
        stopping.abort();
        const grace = new AbortController();
        await Promise.race([all, sleep(graceMs, grace.signal)]);
        grace.abort();
        abort.abort();
        await all;
      })();
      return stopped;
    },
  };
}
