import { Command, Option } from 'commander';
import { once } from 'node:events';
import { addEngineOptions, engineConfig } from '../args/engine-options.js';
import { processIo, UsageError, type CliIo } from '../cli-io.js';
import { openStore } from '../../store/open-store.js';
import { createDefaultVerifier } from '../../verify/default-verifier.js';
import { createLogger } from '../../observability/logger.js';
import { startWorkers } from '../../jobs/start-workers.js';
import { flushLog } from '../../server/listen.js';

/** Flags that map onto `jobs.*` config paths. */
const WORKER_FLAGS = [
  {
    flags: '--loops <n>',
    key: 'loops',
    path: 'jobs.workers',
    doc: 'claim loops (env MAILVET_JOBS_WORKERS)',
  },
  {
    flags: '--batch-size <n>',
    key: 'batchSize',
    path: 'jobs.batchSize',
    doc: 'items per claim (env MAILVET_JOBS_BATCH_SIZE)',
  },
  {
    flags: '--lease-seconds <s>',
    key: 'leaseSeconds',
    path: 'jobs.leaseSeconds',
    doc: 'lease on claimed items (env MAILVET_JOBS_LEASE_SECONDS)',
  },
  {
    flags: '--poll-ms <ms>',
    key: 'pollMs',
    path: 'jobs.pollIntervalMs',
    doc: 'idle poll interval (env MAILVET_JOBS_POLL_MS)',
  },
  {
    flags: '--grace-ms <ms>',
    key: 'graceMs',
    path: 'jobs.stopGraceMs',
    doc: 'time current batches get to finish on SIGTERM (env MAILVET_JOBS_STOP_GRACE_MS, default 10000)',
  },
] as const;

/**
 * `mailvet worker` — run job workers without the HTTP API, against the same
 * database as `mailvet serve` (PostgreSQL to scale over machines). SIGTERM or
 * SIGINT stops claiming; current batches get `--grace-ms` to finish, then
 * verification stops at once: finished results are written, the other items
 * are released for other workers, open SMTP connections are cut and the
 * process exits (docs/jobs.md, "Graceful stop").
 */
export function workerCommand(io: CliIo = processIo()): Command {
  const cmd = new Command('worker').description(
    'process bulk jobs from the database (any number of processes, any machine)',
  );
  for (const f of WORKER_FLAGS) cmd.addOption(new Option(f.flags, f.doc));
  addEngineOptions(cmd);
  cmd.action(async () => {
    const opts = cmd.opts<Record<string, string | undefined>>();
    const extra: Record<string, unknown> = {};
    for (const f of WORKER_FLAGS) if (opts[f.key] !== undefined) extra[f.path] = opts[f.key];
    const config = engineConfig(cmd, io, extra);
    if (config.jobs.workers < 1) throw new UsageError('--loops must be at least 1');
    const log = createLogger({ level: config.logLevel });
    const store = await openStore({
      dataDir: config.store.dataDir,
      databaseUrl: config.store.databaseUrl,
      migrate: true,
    });
    if (!store.adapter.supportsSharedAccess) {
      log.warn(
        {},
        'SQLite: workers must run on the machine holding the database file; use PostgreSQL to scale out',
      );
    }
    const verifier = createDefaultVerifier(config);
    const workers = startWorkers({
      store,
      verifier,
      jobs: config.jobs,
      smtpDefault: config.smtp.enabled,
      log,
    });
    log.info({ workers: workers.ids }, 'job workers started');
    io.stderr.write(`mailvet: worker running ${workers.ids.length} claim loop(s)\n`);
    const signal = await Promise.race([once(process, 'SIGTERM'), once(process, 'SIGINT')]).then(
      () => 'signal',
    );
    log.info({ signal }, 'stopping job workers');
    try {
      await workers.stop(config.jobs.stopGraceMs);
    } finally {
      // Whatever the engine still runs belongs to items the loops have
      // released: cut its SMTP connections instead of waiting for slow
      // servers (up to the verification timeout) to answer nobody.
      await verifier.close({ signal: AbortSignal.abort() });
      await store.close();
      // Nothing buffered may be left for the exit hook's synchronous write,
      // which loops forever on a closed stdout pipe (see flushLog).
      await flushLog(log);
    }
    io.stderr.write('mailvet: worker stopped\n');
  });
  return cmd;
}
