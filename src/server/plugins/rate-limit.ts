import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
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
 * Per-key rate limit for the authenticated context, in two steps:
 *
 * - at onRequest, right after auth, every request costs 1 point and gets the
 *   headers — so a request refused later (wrong scope, invalid JSON, schema,
 *   body too large) is still counted and still carries `RateLimit`; a key
 *   cannot send invalid requests without limit;
 * - at preHandler, after schema validation, a route whose cost depends on the
 *   body (`config.rateCost`: a batch of n addresses costs n) pays the rest.
 *
 * The scope check runs after the first step (auth plugin, preParsing).
 */
export const rateLimitPlugin = fp(
  async (app: FastifyInstance, options: RateLimitPluginOptions) => {
    const { limiters, defaultPolicy, metrics } = options;

    function limiterFor(policy: RatePolicy): RateLimiterAbstract {
      return limiters.get({
        name: 'rate',
        points: policy.limit,
        durationSeconds: policy.windowSeconds,
      });
    }

    /**
     * Take `points` from the key's allowance and set the headers. `refund` is
     * what a refusal gives back: a refused request does no work, so none of
     * its points should stay spent (otherwise one oversized batch would lock
     * the key out for the rest of the window).
     */
    async function take(
      request: FastifyRequest,
      reply: FastifyReply,
      points: number,
      refund: number,
      cost: number,
    ): Promise<void> {
      const key = request.apiKey!;
      const policy = key.rate ?? defaultPolicy;
      const limiter = limiterFor(policy);
      try {
        const res = await limiter.consume(key.id, points);
        setHeaders(reply, policy, res.remainingPoints, res.msBeforeNext);
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        metrics.rateLimitRejections.inc();
        await limiter.reward(key.id, refund).catch(() => undefined);
        setHeaders(reply, policy, policy.limit - (err.consumedPoints - refund), err.msBeforeNext);
        const retryAfter = String(Math.max(1, Math.ceil(err.msBeforeNext / 1000)));
        const detail =
          cost > policy.limit
            ? `this request costs ${cost} but the key allows ${policy.limit} per ${policy.windowSeconds} s; split it`
            : `the key allows ${policy.limit} requests per ${policy.windowSeconds} s; retry after ${retryAfter} s`;
        throw new ApiProblem(429, 'rate-limited', detail, { 'retry-after': retryAfter });
      }
    }

    app.addHook('onRequest', async (request, reply) => {
      if (request.apiKey) await take(request, reply, 1, 1, 1);
    });

    app.addHook('preHandler', async (request, reply) => {
      const rest = (request.routeOptions.config.rateCost?.(request) ?? 1) - 1;
      // The first point was paid at onRequest; a refusal here returns it too.
      if (request.apiKey && rest > 0) await take(request, reply, rest, rest + 1, rest + 1);
    });
  },
  { name: 'mailvet-rate-limit', fastify: '5.x', dependencies: ['mailvet-auth'] },
);
