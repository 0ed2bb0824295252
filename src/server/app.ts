import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { MailvetConfig } from '../config-types.js';
import type { Verifier } from '../verify/verifier-types.js';
import type { Store } from '../store/store.js';
import type { KeyService } from './keys/key-service.js';
import { createLogger } from '../observability/logger.js';
import { createMetrics, type MailvetMetrics } from '../observability/metrics.js';
import type { HealthCheck } from '../observability/health.js';
import { genRequestId, requestIdPlugin } from './plugins/request-id.js';
import {
  clientErrorHandler,
  problemJsonPlugin,
  routerRefusalHandler,
} from './plugins/problem-json.js';
import { ipBlockPlugin } from './plugins/ip-block.js';
import { authPlugin } from './plugins/auth.js';
import { rateLimitPlugin } from './plugins/rate-limit.js';
import { auditPlugin } from './plugins/audit.js';
import { httpMetricsPlugin } from './plugins/http-metrics.js';
import { IpBlocker } from './ip-blocker.js';
import { trustProxyOption } from './trust-proxy.js';
import { RateLimiterFactory } from './rate-limiter-factory.js';
import {
  createMemoryResultCache,
  createRedisResultCache,
  type ResultCache,
} from './result-cache.js';
import { UsageRecorder } from './usage-recorder.js';
import { VerifyService } from './verify-service.js';
import { verifyRoutes } from './routes/verify.js';
import { keyRoutes } from './routes/keys.js';
import { adminRoutes } from './routes/admin.js';
import { usageRoutes } from './routes/usage.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { jobRoutes } from './routes/jobs.js';
import { JobService } from '../jobs/job-service.js';
import { openApiDocument } from './openapi-document.js';
import { withAuthCache } from './auth-cache.js';
import { ApiProblem } from './api-problem.js';
import { MailvetError } from '../errors.js';
import { SharedProblemSchema, VerificationResultSchema } from './schemas/result-schema.js';
import './request-context.js';

/** Longest a route parameter may be (key ids); longer paths are 404 without work (routerRefusalHandler). */
const MAX_PARAM_LENGTH = 100;

/** Everything the HTTP app needs; the caller owns (and closes) verifier, store and redis. */
export interface BuildAppOptions {
  config: MailvetConfig;
  verifier: Verifier;
  store: Store;
  keyService: KeyService;
  /** Shared rate limits, auth-failure counts and result cache across instances. */
  redis?: Redis | null;
  /** Prefix of every Redis key this app writes; default `config.redisKeyPrefix` (tests isolate runs with it). */
  redisKeyPrefix?: string;
  logger?: Logger;
  /** Own registry by default; pass one to read it from outside (tests, bench). */
  metrics?: MailvetMetrics;
  now?: () => number;
}

/** Names of the migrations not applied to the store's database, in order. */
async function pendingMigrations(store: Store): Promise<string[]> {
  return (await store.migrationStatus())
    .filter((m) => m.executedAt === undefined)
    .map((m) => m.name);
}

/**
 * The app's first query (stored IP blocks) fails on a database that was
 * never migrated with the driver's "no such table"; say what is wrong instead.
 */
async function explainStartFailure(store: Store, err: unknown): Promise<unknown> {
  const pending = await pendingMigrations(store).catch(() => []);
  if (pending.length === 0) return err;
  return new MailvetError(
    'MV_ERR_MIGRATION',
    `the database is not migrated (${pending.length} pending: ${pending.join(', ')}): ` +
      'run `mailvet migrate`, or open the store with `migrate: true`',
    500,
    { cause: err },
  );
}

/**
 * Build the HTTP service (not listening; see listen.ts). The root holds the
 * cross-cutting plugins — request id, problem+json, IP blocks, audit, HTTP
 * metrics — and two sibling contexts: public (health, metrics, docs) and
 * authenticated (auth + rate limit + the API routes).
 */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { config, verifier, store } = options;
  const now0 = options.now ?? Date.now;
  const keyService = withAuthCache(options.keyService, { now: now0 });
  const redis = options.redis ?? null;
  const now = now0;
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const metrics = options.metrics ?? createMetrics();
  const ownsMetrics = options.metrics === undefined;
  const prefix = options.redisKeyPrefix ?? config.redisKeyPrefix;

  const fastifyOptions: FastifyServerOptions = {
    loggerInstance: logger,
    // The audit plugin writes one line per request instead of fastify's two.
    logController: new LogController({
      disableRequestLogging: true,
      requestIdLogLabel: 'requestId',
    }),
    genReqId: genRequestId,
    requestIdHeader: false,
    bodyLimit: config.server.bodyLimitBytes,
    trustProxy: trustProxyOption(config.server.trustProxy),
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // What the router and the HTTP parser refuse is problem+json too; the
    // router's refusals also pass the IP block and get an audit row.
    frameworkErrors: routerRefusalHandler(() => app),
    clientErrorHandler: clientErrorHandler(logger),
    // fastify's own closing reply is not problem+json; the hook below answers instead.
    return503OnClosing: false,
    ajv: {
      // Strict input: "1" is not a number and unknown fields are an error, not silently dropped.
      customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false },
    },
  };
  const app = Fastify(fastifyOptions) as unknown as FastifyInstance;
  // Only JSON bodies are accepted; a text body is a 415, not a string the schema rejects.
  app.removeContentTypeParser('text/plain');
  app.decorateRequest('apiKey', null);
  app.decorateRequest('auditObject', null);

  const limiters = new RateLimiterFactory(redis, prefix);
  const blocker = new IpBlocker({
    staticCidrs: config.server.blockCidrs,
    repo: store.ipBlocks,
    failureLimiter: limiters.get({
      name: 'authfail',
      points: config.server.authFailureThreshold,
      durationSeconds: config.server.authFailureWindowSeconds,
    }),
    autoBlockSeconds: config.server.authBlockSeconds,
    now,
  });
  await blocker.start().catch(async (err: unknown) => {
    if (ownsMetrics) metrics.close();
    throw await explainStartFailure(store, err);
  });

  const ttl = config.server.resultCacheTtlSeconds;
  const cache: ResultCache | null =
    ttl <= 0
      ? null
      : redis
        ? createRedisResultCache(redis, ttl, prefix)
        : createMemoryResultCache(ttl, undefined, now);
  const usage = new UsageRecorder(
    store.usage,
    (err) => app.log.error({ err }, 'usage counts could not be written'),
    now,
  );
  const service = new VerifyService({
    verifier,
    cache,
    usage,
    metrics,
    smtpDefault: config.smtp.enabled,
    log: app.log,
  });

  await app.register(requestIdPlugin);
  // While draining for shutdown, requests arriving on kept-alive connections
  // are turned away (and the connection closed) so clients retry elsewhere.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', (_request, reply, done) => {
    if (!closing) return done();
    reply.header('connection', 'close');
    done(
      new ApiProblem(503, 'service-unavailable', 'the server is shutting down', {
        'retry-after': '1',
      }),
    );
  });
  await app.register(problemJsonPlugin);
  await app.register(ipBlockPlugin, { blocker, metrics });
  await app.register(httpMetricsPlugin, { metrics });
  await app.register(auditPlugin, {
    repo: store.audit,
    retentionDays: config.server.auditRetentionDays,
    now,
  });
  // Shared schemas, referenced by routes as `Name#`: one definition in the OpenAPI document.
  app.addSchema(VerificationResultSchema);
  app.addSchema(SharedProblemSchema);
  await app.register(swagger, {
    openapi: openApiDocument(),
    // Name shared components after their $id instead of def-0, def-1…
    refResolver: {
      buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`),
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const checks: HealthCheck[] = [
    { name: 'database', check: () => store.ping() },
    {
      name: 'migrations',
      check: async () => {
        const pending = await pendingMigrations(store);
        if (pending.length > 0)
          throw new Error(`${pending.length} migration(s) pending: ${pending.join(', ')}`);
      },
    },
  ];
  if (redis)
    checks.push({
      name: 'redis',
      check: async () => {
        // Say what is wrong rather than the client's refusal to send a command while disconnected.
        if (redis.status !== 'ready') throw new Error(`not connected (${redis.status})`);
        await redis.ping();
      },
    });

  await app.register(async (publicApi) => {
    await publicApi.register(healthRoutes, { checks });
    await publicApi.register(metricsRoutes, { metrics, token: config.server.metricsToken });
    publicApi.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  });

  await app.register(async (api) => {
    await api.register(authPlugin, { keyService, blocker, metrics });
    await api.register(rateLimitPlugin, {
      limiters,
      defaultPolicy: { limit: config.server.defaultRatePerMinute, windowSeconds: 60 },
      metrics,
    });
    await api.register(verifyRoutes, { service });
    await api.register(keyRoutes, { keyService });
    await api.register(adminRoutes, { store, blocker, now });
    await api.register(usageRoutes, { repo: store.usage, recorder: usage });
    await api.register(jobRoutes, {
      service: new JobService({ db: store.db, adapter: store.adapter, jobs: config.jobs, now }),
      jobs: config.jobs,
    });
  });

  app.addHook('onClose', async () => {
    await usage.flush();
    if (ownsMetrics) metrics.close();
  });
  await app.ready();
  return app;
}
