import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { MailvetConfig } from '../config-types.js';
import type { Verifier } from '../verify/verifier-types.js';
import { openStore } from '../store/open-store.js';
import { createKeyService } from './keys/key-service.js';
import { createLogger } from '../observability/logger.js';
import { buildApp } from './app.js';
import { listen, type RunningServer } from './listen.js';
import { startWorkers } from '../jobs/start-workers.js';

/**
 * Longest one Redis command may take. Redis answers in well under a
 * millisecond when healthy; past this the caller uses its fallback (the
 * in-memory insurance limiter, a result-cache miss, readiness "redis down")
 * instead of holding the request.
 */
export const REDIS_COMMAND_TIMEOUT_MS = 500;

/** Longest start-up waits for the first Redis connection before serving without it. */
const REDIS_STARTUP_WAIT_MS = 1_000;

/** A command sent before a connection dropped is retried this often after reconnecting, then fails. */
const REDIS_MAX_RETRIES_PER_REQUEST = 2;

/**
 * The service's Redis client. Every use of it has a local fallback, so a
 * command must fail fast rather than wait for Redis: while disconnected,
 * commands are refused at once (no offline queue: with one, each command
 * waited there for seconds of reconnect attempts, and so did the request), and
 * a connected but unresponsive Redis fails them after
 * REDIS_COMMAND_TIMEOUT_MS. ioredis keeps reconnecting in the background
 * (its default backoff: doubling, at most about 5 s apart), so a restarted
 * Redis is used again without restarting the service.
 */
export function createRedisClient(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: REDIS_MAX_RETRIES_PER_REQUEST,
    // disconnect() (shutdown with Redis down) otherwise holds the process
    // for 2 s: its timer waits for a 'close' the dead socket already emitted.
    disconnectTimeout: REDIS_COMMAND_TIMEOUT_MS,
  });
  // Without a listener ioredis reports connection errors as unhandled; log them
  // instead (limiters fall back to memory, readiness reports Redis down).
  redis.on('error', (err: Error) => logger.warn({ err }, 'redis error'));
  return redis;
}

/**
 * Wait until the client is connected, at most `ms`. Without the offline
 * queue, commands sent while the first connection is still being set up
 * fail (and fall back to memory); waiting for it lets a healthy Redis hold
 * the shared limits from the first request. An unreachable Redis only
 * delays start-up by `ms`.
 */
async function redisConnected(redis: Redis, ms: number): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    redis.once('ready', done);
  });
}

/**
 * Close the client at shutdown. QUIT is a command like any other: while
 * disconnected it is refused, and the client would go on reconnecting,
 * holding the process open; disconnect() ends that.
 */
async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') {
    try {
      await redis.quit();
      return;
    } catch {
      // Lost or timed out meanwhile: cut the connection instead.
    }
  }
  redis.disconnect();
}

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
  const redis = config.redisUrl ? createRedisClient(config.redisUrl, logger) : null;
  const makeVerifier =
    options.createVerifier ??
    (async (c: MailvetConfig) =>
      (await import('../verify/default-verifier.js')).createDefaultVerifier(c));
  let verifier: Verifier | undefined;
  try {
    verifier = await makeVerifier(config);
    if (redis) await redisConnected(redis, REDIS_STARTUP_WAIT_MS);
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
        ...(redis ? [{ name: 'redis', close: () => closeRedis(redis) }] : []),
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
