import crypto from 'node:crypto';
import type { AuthResult, KeyService } from './keys/key-service.js';

/**
 * How long a successful authentication is reused. Short on purpose: a key
 * revoked or rotated through another process (the CLI, another instance)
 * stops working here within this time; through this instance's API, at once.
 */
export const DEFAULT_AUTH_CACHE_TTL_MS = 2_000;
/** Most cached credentials; beyond it the oldest are dropped. */
export const DEFAULT_AUTH_CACHE_ENTRIES = 10_000;

type Success = Extract<AuthResult, { ok: true }>;

/**
 * SHA-256 as base64url. The one-shot crypto.hash (Node >= 20.12) is about
 * three times cheaper than a Hash object for a short secret, and this runs on
 * every authenticated request; older 20.x fall back to createHash.
 */
const sha256: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'base64url')
    : (text) => crypto.createHash('sha256').update(text).digest('base64url');

/**
 * Wraps a KeyService so that a hot key does not cost two database statements
 * (lookup + last-used touch) per request. Only successes are cached, keyed by
 * a digest of the secret (the secret itself is never held); expiry and the
 * rotation grace are re-checked against the clock on every hit; revoke and
 * rotate through this service drop the key's entries immediately.
 */
export function withAuthCache(
  inner: KeyService,
  options: { ttlMs?: number; maxEntries?: number; now?: () => number } = {},
): KeyService {
  const ttlMs = options.ttlMs ?? DEFAULT_AUTH_CACHE_TTL_MS;
  const maxEntries = options.maxEntries ?? DEFAULT_AUTH_CACHE_ENTRIES;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { until: number; result: Success }>();
  const ms = (iso: string | null) => (iso === null ? Infinity : Date.parse(iso));

  const forget = (keyId: string) => {
    for (const [digest, e] of entries) if (e.result.key.id === keyId) entries.delete(digest);
  };

  return {
    ...inner,
    create: (input) => inner.create(input),
    list: () => inner.list(),
    get: (id) => inner.get(id),
    async rotate(id, rotateOptions) {
      forget(id);
      const rotated = await inner.rotate(id, rotateOptions);
      forget(id);
      return rotated;
    },
    async revoke(id) {
      forget(id);
      const revoked = await inner.revoke(id);
      forget(id);
      return revoked;
    },
    async authenticate(secret) {
      if (typeof secret !== 'string') return inner.authenticate(secret);
      const digest = sha256(secret);
      const at = now();
      const hit = entries.get(digest);
      // `until` already includes the key's expiry and rotation grace, so a
      // cached success never outlives the key's own validity.
      if (hit && hit.until > at) return hit.result;
      entries.delete(digest);
      const result = await inner.authenticate(secret);
      if (result.ok) {
        const grace = result.viaPrevious ? ms(result.key.previousExpiresAt) : Infinity;
        const until = Math.min(at + ttlMs, ms(result.key.expiresAt), grace);
        entries.set(digest, { until, result });
        if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
      }
      return result;
    },
  };
}
