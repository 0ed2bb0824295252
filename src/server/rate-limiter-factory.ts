import type { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';

export interface LimiterSpec {
  /** Distinguishes limiters (`rate:600/60`, `authfail`). */
  name: string;
  points: number;
  durationSeconds: number;
}

/**
 * Builds limiters in memory, or in Redis when a client is given so that all
 * instances draw from one allowance. A Redis limiter gets an in-memory
 * insurance limiter: if Redis is unreachable each instance keeps enforcing
 * the policy locally instead of failing open or answering 500.
 */
export class RateLimiterFactory {
  readonly #redis: Redis | null;
  readonly #prefix: string;
  readonly #cache = new Map<string, RateLimiterAbstract>();

  /** `keyPrefix` (config `redisKeyPrefix`) starts every Redis key; instances sharing it share allowances. */
  constructor(redis: Redis | null, keyPrefix: string) {
    this.#redis = redis;
    this.#prefix = keyPrefix;
  }

  /** Whether limits are shared through Redis. */
  get shared(): boolean {
    return this.#redis !== null;
  }

  /** The limiter for a spec; one instance per distinct spec, reused. */
  get(spec: LimiterSpec): RateLimiterAbstract {
    const id = `${spec.name}:${spec.points}/${spec.durationSeconds}`;
    let limiter = this.#cache.get(id);
    if (limiter) return limiter;
    // The policy is part of the key prefix: changing a key's rate starts a fresh
    // window instead of reinterpreting counters kept under the old policy.
    const keyPrefix = `${this.#prefix}:${id}`;
    const base = { keyPrefix, points: spec.points, duration: spec.durationSeconds };
    limiter = this.#redis
      ? new RateLimiterRedis({
          ...base,
          storeClient: this.#redis,
          insuranceLimiter: new RateLimiterMemory(base),
        })
      : new RateLimiterMemory(base);
    this.#cache.set(id, limiter);
    return limiter;
  }
}
