// INTERFACE FIRST — implementation follows in the next commit.
import type { Store } from '../../store/store.js';
import type { ApiKeyScope } from './api-key-scope.js';
import type { RatePolicy } from './parse-rate.js';

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

export function createKeyService(_store: Store, _options: KeyServiceOptions = {}): KeyService {
  throw new Error('not implemented yet');
}

/** Whether the key grants `scope`; `admin` grants every scope. */
export function hasScope(key: Pick<ApiKeyRecord, 'scopes'>, scope: ApiKeyScope): boolean {
  return key.scopes.includes(scope) || key.scopes.includes('admin');
}
