import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimiterFactory } from '../rate-limiter-factory.js';
import type { RatePolicy } from '../keys/parse-rate.js';
import type { MailvetMetrics } from '../../observability/metrics.js';
import { ApiProblem } from '../api-problem.js';

/** Name of the one policy in `RateLimit-Policy` / `RateLimit` (per-key allowance). */
export const RATE_POLICY_NAME = 'key';

export interface RateLimitPluginOptions {
  limiters: RateLimiterFactory;
  /** Policy of keys without their own. */
  defaultPolicy: RatePolicy;
  metrics: MailvetMetrics;
}

function setHeaders(
  reply: FastifyReply,
  policy: RatePolicy,
  remaining: number,
  resetMs: number,
): void {
  // IETF httpapi RateLimit header fields draft: quota q per window w seconds,
  // remaining r, seconds t until the quota resets.
  reply.header(
    'ratelimit-policy',
    `"${RATE_POLICY_NAME}";q=${policy.limit};w=${policy.windowSeconds}`,
  );
  reply.header(
    'ratelimit',
    `"${RATE_POLICY_NAME}";r=${Math.max(0, remaining)};t=${Math.max(0, Math.ceil(resetMs / 1000))}`,
  );
}

/**
 * Per-key rate limit for the authenticated context. Runs at preHandler, after
 * auth and schema validation, because the cost depends on the body (a batch
 * of n addresses costs n, via the route's `config.rateCost`).
 */
export const rateLimitPlugin = fp(
  async (app: FastifyInstance, options: RateLimitPluginOptions) => {
    const { limiters, defaultPolicy, metrics } = options;
    app.addHook('preHandler', async (request, reply) => {
      const key = request.apiKey;
      if (!key) return;
      const policy = key.rate ?? defaultPolicy;
      const cost = request.routeOptions.config.rateCost?.(request) ?? 1;
      const limiter = limiters.get({
        name: 'rate',
        points: policy.limit,
        durationSeconds: policy.windowSeconds,
      });
      try {
        const res = await limiter.consume(key.id, cost);
        setHeaders(reply, policy, res.remainingPoints, res.msBeforeNext);
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        metrics.rateLimitRejections.inc();
        // A refused request does no work, so it should not eat into the
        // allowance: give its points back (otherwise one oversized batch
        // would lock the key out for the rest of the window).
        await limiter.reward(key.id, cost).catch(() => undefined);
        setHeaders(reply, policy, policy.limit - (err.consumedPoints - cost), err.msBeforeNext);
        const retryAfter = String(Math.max(1, Math.ceil(err.msBeforeNext / 1000)));
        const detail =
          cost > policy.limit
            ? `this request costs ${cost} but the key allows ${policy.limit} per ${policy.windowSeconds} s; split it`
            : `the key allows ${policy.limit} requests per ${policy.windowSeconds} s; retry after ${retryAfter} s`;
        throw new ApiProblem(429, 'rate-limited', detail, { 'retry-after': retryAfter });
      }
    });
  },
  { name: 'mailvet-rate-limit', fastify: '5.x', dependencies: ['mailvet-auth'] },
);
