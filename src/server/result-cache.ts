import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { VerificationResult } from '../verify/result.js';

/** Most results the in-memory cache holds; the least recently used go first. */
export const DEFAULT_MEMORY_CACHE_ENTRIES = 100_000;

/**
 * Per-address verification results with a TTL, so repeated checks do not
 * probe mail servers again. Only final answers are cached: a retryable result
 * (greylisted, timeout…) would otherwise pin a temporary state for the TTL.
 */
export interface ResultCache {
  /** The cached result, already marked `cached: true`; treat it as read-only. */
  get(email: string, smtp: boolean): Promise<VerificationResult | undefined>;
  set(email: string, smtp: boolean, result: VerificationResult): Promise<void>;
}

/**
 * Cache key: a digest of the address as given plus the SMTP option, so Redis
 * never holds addresses in key names and keys have bounded length.
 */
export function resultCacheKey(email: string, smtp: boolean): string {
  return createHash('sha256')
    .update(`${smtp ? 1 : 0}\u0000${email}`)
    .digest('base64url');
}

function cacheable(result: VerificationResult): boolean {
  return !result.retryable;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * The answer a cache hit gives, built once when the result is stored rather
 * than copied per hit. Frozen, because every hit shares it — which also lets
 * the reply reuse its JSON text (see sendResult).
 */
function cachedView(result: VerificationResult): VerificationResult {
  return deepFreeze(structuredClone({ ...result, cached: true }));
}

/** Bounded LRU in process memory (a Map keeps insertion order; re-inserting refreshes it). */
export function createMemoryResultCache(
  ttlSeconds: number,
  maxEntries = DEFAULT_MEMORY_CACHE_ENTRIES,
  now: () => number = Date.now,
): ResultCache {
  const entries = new Map<string, { until: number; result: VerificationResult }>();
  const ttlMs = ttlSeconds * 1000;
  return {
    async get(email, smtp) {
      // In-process keys need no digest: nothing outside this Map ever sees them.
      const key = `${smtp ? 1 : 0}\u0000${email}`;
      const hit = entries.get(key);
      if (!hit) return undefined;
      entries.delete(key);
      if (hit.until <= now()) return undefined;
      entries.set(key, hit);
      return hit.result;
    },
    async set(email, smtp, result) {
      if (!cacheable(result)) return;
      const key = `${smtp ? 1 : 0}\u0000${email}`;
      entries.delete(key);
      entries.set(key, { until: now() + ttlMs, result: cachedView(result) });
      if (entries.size > maxEntries) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
    },
  };
}

/** Shared by every instance through Redis; entries expire by Redis TTL. */
export function createRedisResultCache(
  redis: Redis,
  ttlSeconds: number,
  keyPrefix: string,
): ResultCache {
  const prefix = `${keyPrefix}:result:`;
  return {
    async get(email, smtp) {
      const text = await redis.get(prefix + resultCacheKey(email, smtp));
      if (text === null) return undefined;
      try {
        return { ...(JSON.parse(text) as VerificationResult), cached: true };
      } catch {
        return undefined;
      }
    },
    async set(email, smtp, result) {
      if (!cacheable(result)) return;
      await redis.set(
        prefix + resultCacheKey(email, smtp),
        JSON.stringify(result),
        'EX',
        ttlSeconds,
      );
    },
  };
}
