import type { Store } from '../../store/store.js';
import type { StoredApiKey } from '../../store/keys-repo.js';
import type { ApiKeyScope } from './api-key-scope.js';
import { isApiKeyScope, parseScopes } from './api-key-scope.js';
import type { RatePolicy } from './parse-rate.js';
import { checkRate, parseRate } from './parse-rate.js';
import { parseDuration } from './parse-duration.js';
import {
  displayPrefix,
  generateApiKey,
  hashApiKey,
  hashesEqual,
  isWellFormedKey,
  lookupIdOf,
  randomBase62,
} from './api-key-format.js';
import { InvalidArgumentError } from '../../errors.js';

/** An API key as shown to callers: no secret, no hash. Times are ISO 8601 UTC. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  tenant: string;
  /** Non-secret start of the current key (`mv_live_AbCd1234…`) for display. */
  prefix: string;
  scopes: ApiKeyScope[];
  /** null = the server's default rate. */
  rate: RatePolicy | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  rotatedAt: string | null;
  /** The secret replaced by the last rotation authenticates until then. */
  previousExpiresAt: string | null;
  lastUsedAt: string | null;
}

export interface CreateKeyInput {
  name: string;
  scopes: readonly ApiKeyScope[];
  /** '600/min', '10/s', '36000/hour' or a parsed policy. */
  rate?: string | RatePolicy;
  /** Shorthand for `rate: '<n>/min'`. */
  ratePerMinute?: number;
  /** Absolute expiry (Date, ISO string or epoch ms) … */
  expiresAt?: Date | string | number;
  /** … or relative to now: '30d', '12h'. */
  expiresIn?: string;
  /** Owner of jobs created with the key; defaults to the key id. */
  tenant?: string;
}

/** A key and its secret. `key` is shown once and never stored. */
export interface CreatedKey {
  id: string;
  key: string;
  record: ApiKeyRecord;
}

export type AuthFailureReason = 'malformed' | 'unknown' | 'revoked' | 'expired';

export type AuthResult =
  | {
      ok: true;
      key: ApiKeyRecord;
      /** authenticated by the pre-rotation secret */ viaPrevious: boolean;
    }
  | { ok: false; reason: AuthFailureReason };

export interface RotateOptions {
  /** How long the old secret keeps working; 0 = invalid immediately. */
  graceSeconds: number;
}

export interface KeyService {
  create(input: CreateKeyInput): Promise<CreatedKey>;
  list(): Promise<ApiKeyRecord[]>;
  get(id: string): Promise<ApiKeyRecord | undefined>;
  /** New secret; undefined when the id is unknown or revoked. */
  rotate(id: string, options: RotateOptions): Promise<CreatedKey | undefined>;
  /** Revoke (idempotent); undefined when the id is unknown. */
  revoke(id: string): Promise<ApiKeyRecord | undefined>;
  /** Never throws for bad input: any string (or non-string) gets a result. */
  authenticate(secret: unknown): Promise<AuthResult>;
}

export interface KeyServiceOptions {
  /** Clock (epoch ms); tests inject one to step through expiry. */
  now?: () => number;
}

/** Authentication records use at most once per minute (see KeysRepo.touch). */
export const LAST_USED_WRITE_INTERVAL_MS = 60_000;
/** Longest rotation grace: old secrets must not linger indefinitely. */
export const MAX_ROTATION_GRACE_SECONDS = 30 * 86_400;
/** Longest key name / tenant accepted. */
export const MAX_KEY_NAME_LENGTH = 100;

/**
 * Create, list, rotate, revoke and authenticate API keys. The CLI and the
 * HTTP key routes both call this; neither holds key logic of its own.
 */
export function createKeyService(store: Store, options: KeyServiceOptions = {}): KeyService {
  const now = options.now ?? Date.now;
  const repo = store.keys;

  return {
    async create(input) {
      const at = now();
      const name = checkText('name', input.name);
      const scopes = parseScopes(input.scopes);
      const rate = resolveRate(input);
      const expiresAt = resolveExpiry(input, at);
      const id = `key_${randomBase62(KEY_ID_LENGTH)}`;
      const tenant = input.tenant === undefined ? id : checkText('tenant', input.tenant);
      const key = generateApiKey();
      await repo.insert({
        id,
        name,
        tenant,
        lookupId: lookupIdOf(key),
        secretHash: hashApiKey(key),
        scopes,
        rateLimit: rate?.limit ?? null,
        rateWindowSeconds: rate?.windowSeconds ?? null,
        createdAt: at,
        expiresAt,
      });
      const stored = await repo.findById(id);
      return { id, key, record: toRecord(stored!) };
    },

    async list() {
      return (await repo.list()).map(toRecord);
    },

    async get(id) {
      const stored = await repo.findById(id);
      return stored && toRecord(stored);
    },

    async rotate(id, { graceSeconds }) {
      if (
        !Number.isSafeInteger(graceSeconds) ||
        graceSeconds < 0 ||
        graceSeconds > MAX_ROTATION_GRACE_SECONDS
      ) {
        throw new InvalidArgumentError(
          `rotation grace must be whole seconds 0..${MAX_ROTATION_GRACE_SECONDS} (30 days)`,
        );
      }
      const at = now();
      const key = generateApiKey();
      const rotated = await repo.rotate(id, {
        lookupId: lookupIdOf(key),
        secretHash: hashApiKey(key),
        rotatedAt: at,
        previousExpiresAt: at + graceSeconds * 1000,
      });
      if (!rotated) return undefined;
      const stored = await repo.findById(id);
      return { id, key, record: toRecord(stored!) };
    },

    async revoke(id) {
      if (!(await repo.revoke(id, now()))) return undefined;
      const stored = await repo.findById(id);
      return stored && toRecord(stored);
    },

    async authenticate(secret) {
      if (!isWellFormedKey(secret)) return { ok: false, reason: 'malformed' };
      const lookupId = lookupIdOf(secret);
      const stored = await repo.findByLookupId(lookupId);
      if (!stored) return { ok: false, reason: 'unknown' };
      const hash = hashApiKey(secret);
      const at = now();
      const current = stored.lookupId === lookupId && hashesEqual(hash, stored.secretHash);
      const viaPrevious =
        !current &&
        stored.previousLookupId === lookupId &&
        stored.previousHash !== null &&
        hashesEqual(hash, stored.previousHash);
      if (!current && !viaPrevious) return { ok: false, reason: 'unknown' };
      // Any revocation counts, even one stamped "in the future": revocation is
      // always immediate, and another machine's clock running ahead must not
      // give a revoked key a few more seconds here.
      if (stored.revokedAt !== null) return { ok: false, reason: 'revoked' };
      // A rotated-out secret past its grace is reported as expired: it was
      // valid once, and "expired" tells its holder to fetch the new one.
      if (viaPrevious && (stored.previousExpiresAt ?? 0) <= at) {
        return { ok: false, reason: 'expired' };
      }
      if (stored.expiresAt !== null && stored.expiresAt <= at) {
        return { ok: false, reason: 'expired' };
      }
      await repo.touch(stored.id, at, LAST_USED_WRITE_INTERVAL_MS);
      return { ok: true, key: toRecord(stored), viaPrevious };
    },
  };
}

const KEY_ID_LENGTH = 16;

/**
 * Names and tenants are shown in terminals, logs and dashboards: no C0/C1
 * controls, line separators or bidi overrides that could make one display
 * as something else.
 */
const UNPRINTABLE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

function checkText(field: string, value: unknown): string {
  if (typeof value !== 'string') throw new InvalidArgumentError(`key ${field} must be a string`);
  const text = value.trim();
  if (text.length === 0 || text.length > MAX_KEY_NAME_LENGTH || UNPRINTABLE.test(text)) {
    throw new InvalidArgumentError(
      `key ${field} must be 1..${MAX_KEY_NAME_LENGTH} characters without control characters`,
    );
  }
  return text;
}

function resolveRate(input: CreateKeyInput): RatePolicy | null {
  if (input.rate !== undefined && input.ratePerMinute !== undefined) {
    throw new InvalidArgumentError('give either rate or ratePerMinute, not both');
  }
  if (input.ratePerMinute !== undefined) {
    return checkRate({ limit: input.ratePerMinute, windowSeconds: 60 });
  }
  if (input.rate === undefined) return null;
  return typeof input.rate === 'string' ? parseRate(input.rate) : checkRate(input.rate);
}

function resolveExpiry(input: CreateKeyInput, at: number): number | null {
  if (input.expiresAt !== undefined && input.expiresIn !== undefined) {
    throw new InvalidArgumentError('give either expiresAt or expiresIn, not both');
  }
  if (input.expiresIn !== undefined) {
    const seconds = parseDuration(input.expiresIn);
    if (seconds === 0) throw new InvalidArgumentError('expiresIn must be longer than 0');
    return at + seconds * 1000;
  }
  if (input.expiresAt === undefined) return null;
  const ms = new Date(input.expiresAt).getTime();
  if (!Number.isFinite(ms)) throw new InvalidArgumentError('expiresAt is not a valid time');
  if (ms <= at) throw new InvalidArgumentError('expiresAt must be in the future');
  return ms;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** The public view of a stored key: hashes and lookup ids never leave here. */
function toRecord(k: StoredApiKey): ApiKeyRecord {
  return {
    id: k.id,
    name: k.name,
    tenant: k.tenant,
    prefix: displayPrefix(k.lookupId),
    scopes: k.scopes.filter(isApiKeyScope),
    rate:
      k.rateLimit !== null && k.rateWindowSeconds !== null
        ? { limit: k.rateLimit, windowSeconds: k.rateWindowSeconds }
        : null,
    createdAt: new Date(k.createdAt).toISOString(),
    expiresAt: iso(k.expiresAt),
    revokedAt: iso(k.revokedAt),
    rotatedAt: iso(k.rotatedAt),
    previousExpiresAt: iso(k.previousExpiresAt),
    lastUsedAt: iso(k.lastUsedAt),
  };
}

/** Whether the key grants `scope`; `admin` grants every scope. */
export function hasScope(key: Pick<ApiKeyRecord, 'scopes'>, scope: ApiKeyScope): boolean {
  return key.scopes.includes(scope) || key.scopes.includes('admin');
}
