import { Redis } from 'ioredis';
import type { MailvetConfig } from '../config-types.js';
import type { Verifier } from '../verify/verifier-types.js';
import { openStore } from '../store/open-store.js';
import { createKeyService } from './keys/key-service.js';
import { createLogger } from '../observability/logger.js';
import { buildApp } from './app.js';
import { listen, type RunningServer } from './listen.js';
import { startWorkers } from '../jobs/start-workers.js';

/** Redis commands fail after this many reconnect attempts instead of queueing forever. */
const REDIS_MAX_RETRIES_PER_REQUEST = 2;

export interface RunServiceOptions {
  /** Engine factory; default: the configured engine (createDefaultVerifier). */
  createVerifier?: (config: MailvetConfig) => Verifier | Promise<Verifier>;
  /** Prefix of this deployment's Redis keys; default `config.redisKeyPrefix` (tests isolate runs with it). */
  redisKeyPrefix?: string;
  handleSignals?: boolean;
}

/**
 * `mailvet serve`: open the store (migrating it), Redis when configured, the
 * engine, then build and start the HTTP app. Shutdown closes them in reverse.
 */
export async function runService(
  config: MailvetConfig,
  options: RunServiceOptions = {},
): Promise<RunningServer> {
  const logger = createLogger({ level: config.logLevel });
  const store = await openStore({
    dataDir: config.store.dataDir,
    databaseUrl: config.store.databaseUrl,
    migrate: true,
  });
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, {
        maxRetriesPerRequest: REDIS_MAX_RETRIES_PER_REQUEST,
        enableOfflineQueue: true,
      })
    : null;
  // Without a listener ioredis reports connection errors as unhandled; log them
  // instead (limiters fall back to memory, readiness reports Redis down).
  redis?.on('error', (err: Error) => logger.warn({ err }, 'redis error'));
  const makeVerifier =
    options.createVerifier ??
    (async (c: MailvetConfig) =>
      (await import('../verify/default-verifier.js')).createDefaultVerifier(c));
  let verifier: Verifier | undefined;
  try {
    verifier = await makeVerifier(config);
    const app = await buildApp({
      config,
      verifier,
      store,
      keyService: createKeyService(store),
      redis,
      redisKeyPrefix: options.redisKeyPrefix,
      logger,
    });
    const v = verifier;
    // In-process job workers (jobs.workers claim loops; 0 = none); stopped before engine and store.
    const workers = startWorkers({
      store,
      verifier: v,
      jobs: config.jobs,
      smtpDefault: config.smtp.enabled,
      log: logger,
    });
    return await listen(app, {
      host: config.server.host,
      port: config.server.port,
      handleSignals: options.handleSignals,
      shutdownTimeoutMs: config.server.shutdownTimeoutMs,
      resources: [
        { name: 'job workers', close: () => workers.stop(config.jobs.stopGraceMs) },
        // Requests have drained and the workers released their batches:
        // nothing still in the engine has a taker, so cut it instead of
        // waiting for slow SMTP servers.
        { name: 'verifier', close: () => v.close({ signal: AbortSignal.abort() }) },
        { name: 'store', close: () => store.close() },
        ...(redis ? [{ name: 'redis', close: () => redis.quit() }] : []),
      ],
    }).catch(async (err: unknown) => {
      await workers.stop(0);
      throw err;
    });
  } catch (err) {
    await verifier?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    redis?.disconnect();
    throw err;
  }
}
