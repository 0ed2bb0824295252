import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, EpochMs } from '../store/schema.js';
import type { StoreAdapter } from '../store/store-adapter.js';
import type { VerificationResult } from '../verify/result.js';
import type { ItemState, WebhookState } from './job-tables.js';

/** One claimed item, as a worker needs it. */
export interface ClaimedItem {
  itemNo: number;
  email: string;
  attempts: number;
}

/** A batch: items of one job and one domain, leased to one worker. */
export interface ClaimedBatch {
  jobId: string;
  domain: string;
  items: ClaimedItem[];
}

/**
 * What a worker learned about one item. `retryAt` sends it back to pending
 * (greylisting); otherwise the outcome is final.
 */
export type ItemOutcome =
  | { itemNo: number; result: VerificationResult; retryAt?: EpochMs }
  | { itemNo: number; error: string };

/** The queue's SQL: claims, lease upkeep, idempotent result writes, completion. */
export interface JobQueue {
  /**
   * Lease up to `limit` pending items of one (job, domain). PostgreSQL picks
   * rows with `FOR UPDATE SKIP LOCKED`, so concurrent workers get disjoint
   * batches without waiting; SQLite runs the claim as one UPDATE statement,
   * atomic under its single writer. Returns null when nothing is claimable.
   */
  claim(
    workerId: string,
    limit: number,
    leaseMs: number,
    now: EpochMs,
  ): Promise<ClaimedBatch | null>;
  /** Extend the leases this worker still holds; returns how many. */
  renew(workerId: string, leaseMs: number, now: EpochMs): Promise<number>;
  /**
   * Give back items of one job this worker holds (graceful stop, failed
   * write); the claim does not count. They become pending again, or
   * `skipped` (at `now`) when the job no longer takes work (cancelled).
   */
  release(
    workerId: string,
    items: { jobId: string; itemNos: number[] },
    now?: EpochMs,
  ): Promise<number>;
  /**
   * Return expired leases to pending (`skipped` when the job was cancelled);
   * items that used all `maxAttempts` become `error` instead. Returns how
   * many leases expired.
   */
  reapExpired(now: EpochMs, maxAttempts: number): Promise<number>;
  /**
   * Write outcomes in one transaction. Each write only lands while the item
   * is still leased by `workerId` or pending again after its lease expired —
   * never over another worker's live lease or a finished item — and it lands
   * on the item's own row, so a result can never exist twice. A final
   * outcome is copied to the item's duplicates; it is kept even when the job
   * was cancelled meanwhile (a finished verification). A greylist retry of
   * a cancelled job's item makes it `skipped` instead of pending. Returns
   * how many landed.
   */
  write(
    workerId: string,
    jobId: string,
    outcomes: readonly ItemOutcome[],
    now: EpochMs,
  ): Promise<number>;
  /** Mark running jobs without pending or leased items completed; returns their ids. */
  completeFinished(now: EpochMs, jobId?: string): Promise<string[]>;
}

const OPEN_STATES: ItemState[] = ['pending', 'leased'];
/** Longest error text stored per item. */
const MAX_ERROR_LENGTH = 500;

export function createJobQueue(db: Kysely<Database>, adapter: StoreAdapter): JobQueue {
  if (!adapter.supportsReturning) throw new Error('the job queue needs INSERT/UPDATE … RETURNING');

  /**
   * Whether `jobId` still takes work (running, or importing), for the
   * statements that would put one of its items back to pending: an item of
   * a cancelled job must become `skipped`, or it stays pending forever (no
   * claim looks at the job again). A parameter, not a correlated
   * `jobs.id = job_items.job_id`: on PostgreSQL job_items.job_id compares in
   * collation "C" (migration 003), which the jobs primary key cannot serve,
   * so that would scan `jobs` once per item. Uncorrelated, it is evaluated
   * once per statement.
   *
   * Where rows can be locked (PostgreSQL) the job row is share-locked:
   * without it a cancel could commit between this read and our commit, and
   * its `pending → skipped` statement would not see the item we make pending
   * (still leased in its snapshot). With it, either the cancel waits for our
   * commit and skips the item itself, or we wait for the cancel and read
   * `cancelled`. SQLite runs each statement alone (one writer).
   */
  const jobTakesWork = (jobId: string) =>
    sql<boolean>`exists (select 1 from jobs where jobs.id = ${jobId}
      and jobs.state in ('running', 'importing')${adapter.supportsSkipLocked ? sql` for share` : sql``})`;

  /** `state` and `done_at` of an item of `jobId` going back to the queue at `now` (see jobTakesWork). */
  const backToQueue = (jobId: string, now: EpochMs) => {
    const live = jobTakesWork(jobId);
    return {
      state: sql<ItemState>`case when ${live} then 'pending' else 'skipped' end`,
      done_at: sql<EpochMs | null>`case when ${live} then null else cast(${now} as bigint) end`,
    };
  };

  /** Lease up to `limit` claimable items of `head`; null when a racing worker took them all. */
  const leaseHead = async (
    head: Head,
    workerId: string,
    limit: number,
    leaseMs: number,
    now: EpochMs,
  ): Promise<ClaimedBatch | null> => {
    // The pick is a MATERIALIZED CTE: as a plain `IN (subquery)`,
    // PostgreSQL may re-run the LIMITed subquery and lease too many rows.
    const rows = await db
      .with(
        (cte) => cte('picked').materialized(),
        (qb) => {
          const pick = qb
            .selectFrom('job_items')
            .select('item_no')
            .where('job_id', '=', head.job_id)
            .where('import_batch', '=', head.import_batch)
            .where('domain', '=', head.domain)
            .where('state', '=', 'pending')
            .where('canonical_no', 'is', null)
            .where('not_before', '<=', now)
            .orderBy('item_no')
            .limit(limit);
          return adapter.supportsSkipLocked ? pick.forUpdate().skipLocked() : pick;
        },
      )
      .updateTable('job_items')
      .set((eb) => ({
        state: 'leased',
        lease_owner: workerId,
        lease_expires_at: now + leaseMs,
        attempts: eb('attempts', '+', 1),
      }))
      .where('job_id', '=', head.job_id)
      .where('state', '=', 'pending')
      .where('item_no', 'in', (eb) => eb.selectFrom('picked').select('picked.item_no'))
      .returning(['item_no', 'email', 'attempts'])
      .execute();
    if (rows.length === 0) return null;
    return {
      jobId: head.job_id,
      domain: head.domain,
      items: rows
        .map((r) => ({ itemNo: Number(r.item_no), email: r.email, attempts: r.attempts }))
        .sort((a, b) => a.itemNo - b.itemNo),
    };
  };

  return {
    async claim(workerId, limit, leaseMs, now) {
      // A racing worker may lease the head's items between our pick and our
      // UPDATE (SKIP LOCKED then yields nothing): pick another head rather
      // than report an empty queue, which would idle this loop for a poll
      // interval (workers starting together all pick the same first head).
      const lost: Head[] = [];
      for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
        const head = await pickHead(db, now, lost);
        if (!head) return null;
        const batch = await leaseHead(head, workerId, limit, leaseMs, now);
        if (batch) return batch;
        lost.push(head);
      }
      return null;
    },
    async renew(workerId, leaseMs, now) {
      const r = await db
        .updateTable('job_items')
        .set({ lease_expires_at: now + leaseMs })
        .where('state', '=', 'leased')
        .where('lease_owner', '=', workerId)
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },

    async release(workerId, items, now = Date.now()) {
      if (items.itemNos.length === 0) return 0;
      const r = await db
        .updateTable('job_items')
        .set((eb) => ({
          ...backToQueue(items.jobId, now),
          lease_owner: null,
          lease_expires_at: null,
          attempts: eb('attempts', '-', 1),
        }))
        .where('job_id', '=', items.jobId)
        .where('state', '=', 'leased')
        .where('lease_owner', '=', workerId)
        .where('item_no', 'in', items.itemNos)
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },

    async reapExpired(now, maxAttempts) {
      return db.transaction().execute(async (trx) => {
        const exhausted = await trx
          .updateTable('job_items')
          .set({
            state: 'error',
            error: `no result after ${maxAttempts} attempts (worker lost its lease)`,
            lease_owner: null,
            lease_expires_at: null,
            done_at: now,
          })
          .where('state', '=', 'leased')
          .where('lease_expires_at', '<', now)
          .where('attempts', '>=', maxAttempts)
          .returning(['job_id', 'item_no'])
          .execute();
        // Appended in place: copying the list per row made this loop
        // quadratic (45 s of blocked event loop for 66,000 exhausted leases).
        const byJob = new Map<string, number[]>();
        for (const e of exhausted) {
          const itemNos = byJob.get(e.job_id);
          if (itemNos) itemNos.push(Number(e.item_no));
          else byJob.set(e.job_id, [Number(e.item_no)]);
        }
        for (const [jobId, itemNos] of byJob) await copyToDuplicates(trx, jobId, itemNos);
        // One statement per job, so each reads its own job's state (see
        // jobTakesWork); usually there is no expired lease at all.
        const jobs = await trx
          .selectFrom('job_items')
          .select('job_id')
          .distinct()
          .where('state', '=', 'leased')
          .where('lease_expires_at', '<', now)
          .execute();
        let expired = exhausted.length;
        for (const { job_id: jobId } of jobs) {
          const r = await trx
            .updateTable('job_items')
            .set({
              ...backToQueue(jobId, now),
              lease_owner: null,
              lease_expires_at: null,
            })
            .where('job_id', '=', jobId)
            .where('state', '=', 'leased')
            .where('lease_expires_at', '<', now)
            .executeTakeFirst();
          expired += Number(r.numUpdatedRows);
        }
        return expired;
      });
    },

    async write(workerId, jobId, outcomes, now) {
      if (outcomes.length === 0) return 0;
      // One UPDATE … FROM per WRITE_ROWS_PER_STATEMENT outcomes (a worker's
      // flush of 50 is one), then one for their duplicates: a statement per
      // item made a 50-result flush take 300–400 ms on PostgreSQL under
      // eight concurrent workers.
      //
      // A greylist retry (state pending) of a cancelled job's item is
      // `skipped` instead, without the temporary answer (like any skipped
      // item, it has no result); a final outcome lands whatever the job's
      // state: the verification is done, so it is kept.
      const live = jobTakesWork(jobId);
      const skip = sql<boolean>`(v.state = 'pending' and not ${live})`;
      return db.transaction().execute(async (trx) => {
        const final: number[] = [];
        let landed = 0;
        for (let at = 0; at < outcomes.length; at += WRITE_ROWS_PER_STATEMENT) {
          const values = sql.join(
            outcomes.slice(at, at + WRITE_ROWS_PER_STATEMENT).map((o) => {
              const f = outcomeFields(o, now);
              return sql`select cast(${o.itemNo} as bigint) as item_no, ${f.state} as state,
                ${f.status} as status, ${f.result} as result, ${f.error} as error,
                cast(${f.notBefore} as bigint) as not_before, cast(${f.doneAt} as bigint) as done_at`;
            }),
            sql` union all `,
          );
          const r = await sql<{ item_no: number | string; state: ItemState }>`
            update job_items set
              state = case when ${skip} then 'skipped' else v.state end,
              status = case when ${skip} then null else v.status end,
              result = case when ${skip} then null else v.result end,
              error = v.error,
              not_before = coalesce(v.not_before, job_items.not_before),
              done_at = case when ${skip} then cast(${now} as bigint) else v.done_at end,
              lease_owner = null, lease_expires_at = null
            from (${values}) as v
            where job_items.job_id = ${jobId} and job_items.item_no = v.item_no
              and (job_items.state = 'pending'
                or (job_items.state = 'leased' and job_items.lease_owner = ${workerId}))
            returning job_items.item_no, job_items.state`.execute(trx);
          landed += r.rows.length;
          for (const row of r.rows) if (row.state !== 'pending') final.push(Number(row.item_no));
        }
        await copyToDuplicates(trx, jobId, final);
        return landed;
      });
    },

    async completeFinished(now, jobId) {
      let q = db
        .updateTable('jobs')
        .set({
          state: 'completed',
          finished_at: now,
          webhook_state: sql<WebhookState>`case when webhook_url is null then 'none' else 'pending' end`,
          webhook_next_at: now,
        })
        .where('state', '=', 'running')
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('job_items as i')
                .select(sql<number>`1`.as('one'))
                .whereRef('i.job_id', '=', 'jobs.id')
                .where('i.state', 'in', OPEN_STATES),
            ),
          ),
        );
      if (jobId !== undefined) q = q.where('id', '=', jobId);
      const rows = await q.returning('id').execute();
      return rows.map((r) => r.id);
    },
  };
}

/**
 * Outcomes per UPDATE … FROM (SELECT … UNION ALL …) in `write`: SQLite
 * refuses a compound SELECT of more than 500 terms (SQLITE_MAX_COMPOUND_SELECT),
 * and each outcome binds 7 values.
 */
const WRITE_ROWS_PER_STATEMENT = 100;
/**
 * Canonical item numbers per duplicates update: far under SQLite's 32,766
 * and PostgreSQL's 65,535 bound values, which a reap of many exhausted
 * leases at once would otherwise pass (failing every reap, so no claim).
 */
const DUPLICATES_PER_STATEMENT = 1000;
/** Picks per claim before it reports nothing claimable (each lost a race to another worker). */
const CLAIM_ATTEMPTS = 4;

/** Where a claim starts: one claimable item's job, import batch and domain. */
interface Head {
  job_id: string;
  import_batch: number;
  domain: string;
}

/**
 * Pick a (job, domain) with claimable work. First the running jobs that have
 * an item claimable now (pending, not a duplicate, `not_before` passed) —
 * all of them: a fixed window of the oldest running jobs starved every newer
 * job once the window's jobs had nothing claimable (all greylisted, all
 * leased). Then one claimable item of one of them. Both probes walk the
 * partial claim index from the job's first pending entry and stop at the
 * first claimable one, so the cost grows with the number of running jobs,
 * not of items (except for a job whose every pending item waits: its probe
 * passes over them). Items of jobs still importing are never scanned.
 * Unlocked on purpose: two workers picking the same head merely share its
 * items (a row lock here would make a concurrent claim skip that row and
 * leave a one-item batch behind). Heads in `exclude` were just lost to other
 * workers and are passed over. The walk starts at a random job so workers
 * spread over jobs instead of all draining the oldest.
 */
async function pickHead(
  db: Kysely<Database>,
  now: EpochMs,
  exclude: readonly Head[],
): Promise<Head | undefined> {
  const jobs = await db
    .selectFrom('jobs')
    .select('id')
    .where('state', '=', 'running')
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('job_items')
          .select(sql<number>`1`.as('one'))
          // Compared in job_items.job_id's collation ("C" on PostgreSQL: a
          // column's own collation wins over the default), the claim
          // index's, so the index serves the probe.
          .whereRef('job_items.job_id', '=', 'jobs.id')
          .where('job_items.state', '=', 'pending')
          .where('job_items.canonical_no', 'is', null)
          .where('job_items.not_before', '<=', now),
      ),
    )
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const start = Math.floor(Math.random() * jobs.length);
  for (let k = 0; k < jobs.length; k++) {
    const jobId = jobs[(start + k) % jobs.length].id;
    let pick = db
      .selectFrom('job_items')
      .select(['job_id', 'import_batch', 'domain'])
      .where('state', '=', 'pending')
      .where('job_id', '=', jobId)
      .where('canonical_no', 'is', null)
      .where('not_before', '<=', now)
      .limit(1);
    for (const h of exclude) {
      if (h.job_id !== jobId) continue;
      pick = pick.where((eb) =>
        eb.or([eb('import_batch', '!=', h.import_batch), eb('domain', '!=', h.domain)]),
      );
    }
    const head = await pick.executeTakeFirst();
    if (head) return head;
  }
  return undefined;
}

/** An outcome as the columns `write` sets. */
function outcomeFields(o: ItemOutcome, now: EpochMs) {
  if ('error' in o) {
    const error = o.error.slice(0, MAX_ERROR_LENGTH);
    return { state: 'error', status: null, result: null, error, notBefore: null, doneAt: now };
  }
  const result = JSON.stringify(o.result);
  const status = o.result.status;
  return o.retryAt !== undefined
    ? { state: 'pending', status, result, error: null, notBefore: o.retryAt, doneAt: null }
    : { state: 'done', status, result, error: null, notBefore: null, doneAt: now };
}

/**
 * Copy the final state of canonical items (already written in `trx`) to the
 * pending duplicates pointing at them, one statement per
 * DUPLICATES_PER_STATEMENT canonical items.
 */
async function copyToDuplicates(
  trx: Transaction<Database>,
  jobId: string,
  canonicalNos: readonly number[],
): Promise<void> {
  for (let at = 0; at < canonicalNos.length; at += DUPLICATES_PER_STATEMENT) {
    const some = canonicalNos.slice(at, at + DUPLICATES_PER_STATEMENT);
    await sql`
      update job_items set state = c.state, status = c.status, result = c.result,
        error = c.error, done_at = c.done_at
      from job_items as c
      where job_items.job_id = ${jobId} and job_items.state = 'pending'
        and job_items.canonical_no is not null and job_items.canonical_no = c.item_no
        and c.job_id = ${jobId} and c.item_no in (${sql.join(some)})`.execute(trx);
  }
}
