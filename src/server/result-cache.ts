import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
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

/**
 * The AES-256-GCM key that seals one address's cached result. Derived from
 * the address under a different label than the key name, so the name does not
 * reveal it: reading a value needs the address itself. Someone who can guess
 * an address could also probe for its key name, so this hides exactly what
 * the digest name hides — and a dump of Redis shows no address or result.
 */
function valueKey(email: string, smtp: boolean): Buffer {
  return createHash('sha256')
    .update(`mailvet result cache value v1\u0000${smtp ? 1 : 0}\u0000${email}`)
    .digest();
}

/** Seals a result as base64url(iv ‖ tag ‖ ciphertext). */
export function sealCachedResult(email: string, smtp: boolean, result: VerificationResult): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', valueKey(email, smtp), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(result), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** Opens a sealed value; undefined when it was not sealed for this address or was altered. */
export function openCachedResult(
  email: string,
  smtp: boolean,
  sealed: string,
): VerificationResult | undefined {
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length < 29) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', valueKey(email, smtp), bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    const text = Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]);
    return JSON.parse(text.toString('utf8')) as VerificationResult;
  } catch {
    return undefined;
  }
}

/**
 * Shared by every instance through Redis; entries expire by Redis TTL. Names
 * are digests and values are sealed with a key only the address yields, so
 * Redis never holds an address in readable form: it is a store shared across
 * machines and often less guarded than the database.
 */
export function createRedisResultCache(
  redis: Redis,
  ttlSeconds: number,
  keyPrefix: string,
): ResultCache {
  const prefix = `${keyPrefix}:result:`;
  return {
    async get(email, smtp) {
      const sealed = await redis.get(prefix + resultCacheKey(email, smtp));
      if (sealed === null) return undefined;
      const result = openCachedResult(email, smtp, sealed);
      return result && { ...result, cached: true };
    },
    async set(email, smtp, result) {
      if (!cacheable(result)) return;
      await redis.set(
        prefix + resultCacheKey(email, smtp),
        sealCachedResult(email, smtp, result),
        'EX',
        ttlSeconds,
      );
    },
  };
}
