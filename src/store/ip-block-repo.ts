import type { Kysely, Selectable } from 'kysely';
import type { Database, EpochMs, IpBlocksTable } from './schema.js';

export type IpBlockSource = 'static' | 'admin' | 'auto';

/** A blocked IP or CIDR. Matching an address against CIDRs is the server's job. */
export interface IpBlock {
  cidr: string;
  reason: string | null;
  createdAt: EpochMs;
  /** null = until removed. */
  expiresAt: EpochMs | null;
  source: IpBlockSource;
}

/** IP block persistence. One row per CIDR; adding an existing CIDR replaces it. */
export interface IpBlockRepo {
  /** Every block, expired ones included, newest first. */
  list(): Promise<IpBlock[]>;
  /** Blocks in force at `now` (no expiry, or expiry after now). */
  active(now: EpochMs): Promise<IpBlock[]>;
  /** Insert or replace the block for `block.cidr`. */
  add(block: IpBlock): Promise<void>;
  /**
   * Insert an automatic block, or replace the row for its CIDR only when that
   * row is itself automatic or has expired: an instance whose view is a few
   * seconds old must not turn an admin's block into one that expires.
   * Returns false when a block in force kept its place.
   */
  addAutomatic(block: IpBlock): Promise<boolean>;
  /** false when no block had that CIDR. */
  remove(cidr: string): Promise<boolean>;
  /** Delete blocks that expired before `now`; returns how many. */
  pruneExpired(now: EpochMs): Promise<number>;
}

export function createIpBlockRepo(db: Kysely<Database>): IpBlockRepo {
  return {
    async list() {
      const rows = await db
        .selectFrom('ip_blocks')
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('cidr')
        .execute();
      return rows.map(fromRow);
    },

    async active(now) {
      const rows = await db
        .selectFrom('ip_blocks')
        .selectAll()
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
        .orderBy('cidr')
        .execute();
      return rows.map(fromRow);
    },

    async add(block) {
      const row = {
        cidr: block.cidr,
        reason: block.reason,
        created_at: block.createdAt,
        expires_at: block.expiresAt,
        source: block.source,
      };
      await db
        .insertInto('ip_blocks')
        .values(row)
        .onConflict((oc) =>
          oc.column('cidr').doUpdateSet({
            reason: row.reason,
            created_at: row.created_at,
            expires_at: row.expires_at,
            source: row.source,
          }),
        )
        .execute();
    },

    async addAutomatic(block) {
      const row = {
        cidr: block.cidr,
        reason: block.reason,
        created_at: block.createdAt,
        expires_at: block.expiresAt,
        source: 'auto' as const,
      };
      const result = await db
        .insertInto('ip_blocks')
        .values(row)
        .onConflict((oc) =>
          oc
            .column('cidr')
            .doUpdateSet({
              reason: row.reason,
              created_at: row.created_at,
              expires_at: row.expires_at,
              source: row.source,
            })
            .where((eb) =>
              eb.or([
                eb('ip_blocks.source', '=', 'auto'),
                eb('ip_blocks.expires_at', '<=', block.createdAt),
              ]),
            ),
        )
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },

    async remove(cidr) {
      const result = await db.deleteFrom('ip_blocks').where('cidr', '=', cidr).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    async pruneExpired(now) {
      const result = await db
        .deleteFrom('ip_blocks')
        .where('expires_at', 'is not', null)
        .where('expires_at', '<=', now)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

function fromRow(row: Selectable<IpBlocksTable>): IpBlock {
  return {
    cidr: row.cidr,
    reason: row.reason,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    source: row.source,
  };
}
