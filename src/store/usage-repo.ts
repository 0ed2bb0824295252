import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { InvalidArgumentError } from '../errors.js';

/** One counter: requests of `keyId` on `day` (UTC, YYYY-MM-DD) in bucket `status`. */
export interface UsageCount {
  keyId: string;
  day: string;
  status: string;
  count: number;
}

export interface UsageListOptions {
  /** Inclusive `YYYY-MM-DD` bounds. */
  fromDay?: string;
  toDay?: string;
}

/** Daily usage counters, incremented atomically from any number of processes. */
export interface UsageRepo {
  /** Add `n` (default 1) to the counter; creates it at `n` if missing. */
  increment(keyId: string, day: string, status: string, n?: number): Promise<void>;
  /** Counters of one key, by day then status. */
  listByKey(keyId: string, options?: UsageListOptions): Promise<UsageCount[]>;
}

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** The UTC day of an epoch-ms time, as stored in `usage_daily.day`. */
export function usageDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

export function createUsageRepo(db: Kysely<Database>): UsageRepo {
  return {
    async increment(keyId, day, status, n = 1) {
      if (!DAY_PATTERN.test(day)) throw new InvalidArgumentError(`usage day must be YYYY-MM-DD`);
      if (!Number.isSafeInteger(n) || n < 1) {
        throw new InvalidArgumentError('usage increment must be a positive integer');
      }
      // One statement on both dialects: the row-level conflict resolution is
      // atomic, so concurrent increments from many processes never lose counts.
      await db
        .insertInto('usage_daily')
        .values({ key_id: keyId, day, status, count: n })
        .onConflict((oc) =>
          oc.columns(['key_id', 'day', 'status']).doUpdateSet((eb) => ({
            count: eb('usage_daily.count', '+', eb.ref('excluded.count')),
          })),
        )
        .execute();
    },

    async listByKey(keyId, options = {}) {
      let query = db.selectFrom('usage_daily').selectAll().where('key_id', '=', keyId);
      if (options.fromDay !== undefined) query = query.where('day', '>=', options.fromDay);
      if (options.toDay !== undefined) query = query.where('day', '<=', options.toDay);
      const rows = await query.orderBy('day').orderBy('status').execute();
      return rows.map((r) => ({
        keyId: r.key_id,
        day: r.day,
        status: r.status,
        count: Number(r.count),
      }));
    },
  };
}
