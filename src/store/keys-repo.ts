import type { Kysely, Selectable } from 'kysely';
import type { ApiKeysTable, Database, EpochMs } from './schema.js';

/** An API key row in camelCase, hashes included (never leaves the server). */
export interface StoredApiKey {
  id: string;
  name: string;
  tenant: string;
  lookupId: string;
  secretHash: string;
  scopes: string[];
  rateLimit: number | null;
  rateWindowSeconds: number | null;
  createdAt: EpochMs;
  expiresAt: EpochMs | null;
  revokedAt: EpochMs | null;
  rotatedAt: EpochMs | null;
  previousLookupId: string | null;
  previousHash: string | null;
  previousExpiresAt: EpochMs | null;
  lastUsedAt: EpochMs | null;
}

/** Fields a new key is inserted with; the rest start null. */
export type NewStoredApiKey = Pick<
  StoredApiKey,
  | 'id'
  | 'name'
  | 'tenant'
  | 'lookupId'
  | 'secretHash'
  | 'scopes'
  | 'rateLimit'
  | 'rateWindowSeconds'
  | 'createdAt'
  | 'expiresAt'
>;

/** The new secret installed by a rotation, and how long the old one lives. */
export interface KeyRotation {
  lookupId: string;
  secretHash: string;
  rotatedAt: EpochMs;
  /** Until when the replaced secret still authenticates; <= rotatedAt means never. */
  previousExpiresAt: EpochMs;
}

/** Persistence of API keys. Knows nothing about key formats or hashing. */
export interface KeysRepo {
  insert(key: NewStoredApiKey): Promise<void>;
  findById(id: string): Promise<StoredApiKey | undefined>;
  /** One indexed query: the key whose current OR previous lookup id matches. */
  findByLookupId(lookupId: string): Promise<StoredApiKey | undefined>;
  /** All keys, newest first. */
  list(): Promise<StoredApiKey[]>;
  /** Replace the secret of a non-revoked key; false when none matched. */
  rotate(id: string, rotation: KeyRotation): Promise<boolean>;
  /** Mark revoked (first revocation time wins); false when the id is unknown. */
  revoke(id: string, at: EpochMs): Promise<boolean>;
  /**
   * Record use, but write at most once per `minIntervalMs` per key so
   * authentication does not turn every request into a write.
   */
  touch(id: string, at: EpochMs, minIntervalMs: number): Promise<void>;
}

/** Lookup ids of current and previous secrets are both indexed (migration 001). */
export function createKeysRepo(db: Kysely<Database>): KeysRepo {
  return {
    async insert(key) {
      await db
        .insertInto('api_keys')
        .values({
          id: key.id,
          name: key.name,
          tenant: key.tenant,
          lookup_id: key.lookupId,
          secret_hash: key.secretHash,
          scopes: key.scopes.join(','),
          rate_limit: key.rateLimit,
          rate_window_seconds: key.rateWindowSeconds,
          created_at: key.createdAt,
          expires_at: key.expiresAt,
          revoked_at: null,
          rotated_at: null,
          previous_lookup_id: null,
          previous_hash: null,
          previous_expires_at: null,
          last_used_at: null,
        })
        .execute();
    },

    async findById(id) {
      const row = await db
        .selectFrom('api_keys')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toStored(row);
    },

    async findByLookupId(lookupId) {
      const row = await db
        .selectFrom('api_keys')
        .selectAll()
        .where((eb) =>
          eb.or([eb('lookup_id', '=', lookupId), eb('previous_lookup_id', '=', lookupId)]),
        )
        .executeTakeFirst();
      return row && toStored(row);
    },

    async list() {
      const rows = await db
        .selectFrom('api_keys')
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
      return rows.map(toStored);
    },

    async rotate(id, rotation) {
      // The previous_* columns take the current secret in the same UPDATE, so
      // a concurrent authenticate sees either the old or the new pair, never a mix.
      const result = await db
        .updateTable('api_keys')
        .set((eb) => ({
          previous_lookup_id: eb.ref('lookup_id'),
          previous_hash: eb.ref('secret_hash'),
          previous_expires_at: rotation.previousExpiresAt,
          lookup_id: rotation.lookupId,
          secret_hash: rotation.secretHash,
          rotated_at: rotation.rotatedAt,
        }))
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async revoke(id, at) {
      const result = await db
        .updateTable('api_keys')
        .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(at)) }))
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async touch(id, at, minIntervalMs) {
      await db
        .updateTable('api_keys')
        .set({ last_used_at: at })
        .where('id', '=', id)
        .where((eb) =>
          eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', at - minIntervalMs)]),
        )
        .execute();
    },
  };
}

function toStored(row: Selectable<ApiKeysTable>): StoredApiKey {
  return {
    id: row.id,
    name: row.name,
    tenant: row.tenant,
    lookupId: row.lookup_id,
    secretHash: row.secret_hash,
    scopes: row.scopes === '' ? [] : row.scopes.split(','),
    rateLimit: row.rate_limit,
    rateWindowSeconds: row.rate_window_seconds,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    rotatedAt: row.rotated_at,
    previousLookupId: row.previous_lookup_id,
    previousHash: row.previous_hash,
    previousExpiresAt: row.previous_expires_at,
    lastUsedAt: row.last_used_at,
  };
}
