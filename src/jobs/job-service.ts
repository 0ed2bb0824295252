import type { Kysely, Selectable } from 'kysely';
import type { Database, EpochMs } from '../store/schema.js';
import type { StoreAdapter } from '../store/store-adapter.js';
import type { JobsTable } from './job-tables.js';
import type { JobsConfig } from './jobs-config.js';
import { newJobId, newWebhookSecret } from './job-id.js';
import { importItems, type ImportSummary, type JobInput } from './job-import.js';
import { JobImportAbandonedError, JobNotFoundError } from './job-errors.js';
import { checkWebhookUrl } from './webhook-url.js';
import {
  emptyCounts,
  toJobView,
  type JobCounts,
  type JobOptions,
  type JobView,
} from './job-view.js';
import { exportJob, type ExportFormat, type ExportFilter } from './job-export.js';
import { STATUSES } from '../verify/result.js';

/** Window over which the finishing rate (and so the ETA) is measured. */
export const RATE_WINDOW_SECONDS = 60;
/** Jobs per list page. */
export const MAX_JOB_LIST = 100;

export interface CreateJobRequest {
  /** Tenant of the calling key; the only one who will see the job. */
  owner: string;
  createdBy?: string | null;
  idempotencyKey?: string | null;
  options: JobOptions;
  webhookUrl?: string | null;
  input: JobInput;
}

export interface CreatedJob {
  job: JobView;
  /** false when an earlier request with the same Idempotency-Key made it. */
  created: boolean;
  /** Key the webhook is signed with; null when the config-wide secret signs. */
  webhookSecret: string | null;
}

export interface JobServiceOptions {
  db: Kysely<Database>;
  /** The store's adapter, for its fast bulk insert; imports are slower without it. */
  adapter?: Pick<StoreAdapter, 'bulkInsert' | 'refreshStatistics'>;
  jobs: JobsConfig;
  now?: () => EpochMs;
}

/** Jobs as the API and CLI see them: create (import), read, list, cancel, export. */
export class JobService {
  readonly #db: Kysely<Database>;
  readonly #adapter: Pick<StoreAdapter, 'bulkInsert' | 'refreshStatistics'> | undefined;
  readonly #jobs: JobsConfig;
  readonly #now: () => EpochMs;

  constructor(options: JobServiceOptions) {
    this.#db = options.db;
    this.#adapter = options.adapter;
    this.#jobs = options.jobs;
    this.#now = options.now ?? Date.now;
  }

  /** The job an earlier request with this key created, if any. */
  async findByIdempotencyKey(owner: string, key: string): Promise<CreatedJob | undefined> {
    const row = await this.#db
      .selectFrom('jobs')
      .selectAll()
      .where('owner', '=', owner)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
    if (!row) return undefined;
    return { job: await this.#view(row), created: false, webhookSecret: row.webhook_secret };
  }

  /**
   * Create a job and import its rows. The job is invisible to workers until
   * the import has finished (state `importing`); a failed import deletes it,
   * so the same Idempotency-Key can be used again.
   */
  async create(req: CreateJobRequest): Promise<CreatedJob> {
    const key = req.idempotencyKey ?? null;
    if (key !== null) {
      const existing = await this.findByIdempotencyKey(req.owner, key);
      if (existing) return existing;
    }
    const webhookUrl = req.webhookUrl ?? null;
    if (webhookUrl !== null) await checkWebhookUrl(webhookUrl, this.#jobs.webhookAllowPrivate);
    const id = newJobId();
    const secret =
      webhookUrl !== null && this.#jobs.webhookSecret === null ? newWebhookSecret() : null;
    const now = this.#now();
    try {
      await this.#db
        .insertInto('jobs')
        .values({
          id,
          owner: req.owner,
          created_by: req.createdBy ?? null,
          state: 'importing',
          options: JSON.stringify(req.options),
          idempotency_key: key,
          columns: '[]',
          email_column: 0,
          total_items: 0,
          error: null,
          webhook_url: webhookUrl,
          webhook_secret: secret,
          webhook_state: 'none',
          webhook_attempts: 0,
          webhook_next_at: null,
          webhook_lease_until: null,
          webhook_last_error: null,
          created_at: now,
          import_heartbeat_at: now,
          started_at: null,
          finished_at: null,
        })
        .execute();
    } catch (err) {
      // A concurrent request with the same key won the unique index.
      const existing = key === null ? undefined : await this.findByIdempotencyKey(req.owner, key);
      if (existing) return existing;
      throw err;
    }
    try {
      const heartbeat = { clock: this.#now, beat: () => this.#beat(id) };
      const summary = await importItems(
        this.#db,
        this.#adapter,
        id,
        req.input,
        this.#jobs,
        now,
        heartbeat,
      );
      // Only from `importing`: a job cancelled during its import stays
      // cancelled, one failed as stale (see failStaleImports) stays failed.
      const started = await this.#db
        .updateTable('jobs')
        .set({
          state: 'running',
          columns: JSON.stringify(summary.columns),
          email_column: summary.emailColumn,
          total_items: summary.rows,
          import_heartbeat_at: null,
          started_at: this.#now(),
        })
        .where('id', '=', id)
        .where('state', '=', 'importing')
        .executeTakeFirst();
      if (started.numUpdatedRows === 0n) await this.#importInterrupted(id, summary);
    } catch (err) {
      await this.#db.deleteFrom('job_items').where('job_id', '=', id).execute();
      // A job failed as stale stays visible, with its reason; any other
      // failed import leaves nothing, so its Idempotency-Key can be reused.
      if (!(err instanceof JobImportAbandonedError)) {
        await this.#db.deleteFrom('jobs').where('id', '=', id).execute();
      }
      throw err;
    }
    return { job: await this.get(req.owner, id), created: true, webhookSecret: secret };
  }

  /**
   * Fail imports whose heartbeat is older than `jobs.importStaleSeconds`:
   * their importing process died (or the upload stalled that long), so they
   * would sit in `importing` forever. Their rows are removed and their
   * Idempotency-Key released, so the same upload can simply be sent again.
   * Run by the workers at start and every IMPORT_REAP_INTERVAL_MS. Returns
   * the ids failed.
   */
  async failStaleImports(): Promise<string[]> {
    const now = this.#now();
    const stale = this.#jobs.importStaleSeconds;
    // One transaction: whoever sees the job failed also sees its rows gone.
    const failed = await this.#db.transaction().execute(async (trx) => {
      const ids = await trx
        .updateTable('jobs')
        .set({
          state: 'failed',
          error: `import stopped: no progress for ${stale} s (the importing process died or the upload stalled); upload the list again`,
          idempotency_key: null,
          import_heartbeat_at: null,
          finished_at: now,
        })
        .where('state', '=', 'importing')
        .where((eb) =>
          eb(eb.fn.coalesce('import_heartbeat_at', 'created_at'), '<', now - stale * 1000),
        )
        .returning('id')
        .execute();
      // Rows of every failed job, so rows left by an older failure go too.
      await trx
        .deleteFrom('job_items')
        .where('job_id', 'in', (eb) =>
          eb.selectFrom('jobs').select('id').where('state', '=', 'failed'),
        )
        .execute();
      return ids;
    });
    return failed.map((f) => f.id);
  }

  /** The import's sign of life; throws when the job stopped importing meanwhile. */
  async #beat(id: string): Promise<void> {
    const r = await this.#db
      .updateTable('jobs')
      .set({ import_heartbeat_at: this.#now() })
      .where('id', '=', id)
      .where('state', '=', 'importing')
      .executeTakeFirst();
    if (r.numUpdatedRows === 0n) await this.#importInterrupted(id);
  }

  /**
   * The job left `importing` while rows were still coming in: cancelled (its
   * late rows are skipped too, and the job is kept) or failed as stale (the
   * import is refused; create() then removes what it wrote).
   */
  async #importInterrupted(id: string, summary?: ImportSummary): Promise<void> {
    const row = await this.#db
      .selectFrom('jobs')
      .select('state')
      .where('id', '=', id)
      .executeTakeFirst();
    if (row?.state === 'cancelled') {
      if (!summary) return;
      await this.#db
        .updateTable('jobs')
        .set({
          columns: JSON.stringify(summary.columns),
          email_column: summary.emailColumn,
          total_items: summary.rows,
          import_heartbeat_at: null,
        })
        .where('id', '=', id)
        .execute();
      await this.#db
        .updateTable('job_items')
        .set({ state: 'skipped', done_at: this.#now() })
        .where('job_id', '=', id)
        .where('state', '=', 'pending')
        .execute();
      return;
    }
    throw new JobImportAbandonedError(
      `the import made no progress for ${this.#jobs.importStaleSeconds} s and was abandoned; upload the list again`,
    );
  }

  /** The job with derived progress; JobNotFoundError for another owner's job. */
  async get(owner: string, id: string): Promise<JobView> {
    return this.#view(await this.#row(owner, id));
  }

  /** The owner's jobs, newest first. */
  async list(owner: string, limit = MAX_JOB_LIST): Promise<JobView[]> {
    const rows = await this.#db
      .selectFrom('jobs')
      .selectAll()
      .where('owner', '=', owner)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(Math.min(Math.max(1, limit), MAX_JOB_LIST))
      .execute();
    return Promise.all(rows.map((r) => this.#view(r)));
  }

  /**
   * Cancel: pending items become `skipped`. Items a worker holds keep a
   * result it finishes; those that come back to the queue instead (released,
   * lease expired, greylisted) become `skipped` then (JobQueue checks the
   * job's state), so the job still ends at 100 %. Cancelling a finished job
   * changes nothing.
   */
  async cancel(owner: string, id: string): Promise<JobView> {
    await this.#row(owner, id);
    const now = this.#now();
    await this.#db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable('jobs')
        .set({ state: 'cancelled', finished_at: now })
        .where('id', '=', id)
        .where('state', 'in', ['running', 'importing'])
        .executeTakeFirst();
      if (r.numUpdatedRows === 0n) return;
      await trx
        .updateTable('job_items')
        .set({ state: 'skipped', done_at: now })
        .where('job_id', '=', id)
        .where('state', '=', 'pending')
        .execute();
    });
    return this.get(owner, id);
  }

  /** Stream the job's rows with results as CSV or JSON text chunks (keyset pages). */
  async export(
    owner: string,
    id: string,
    format: ExportFormat,
    filter: ExportFilter = {},
  ): Promise<AsyncIterable<string>> {
    const row = await this.#row(owner, id);
    return exportJob(this.#db, row, format, filter);
  }

  async #row(owner: string, id: string): Promise<Selectable<JobsTable>> {
    const row = await this.#db
      .selectFrom('jobs')
      .selectAll()
      .where('id', '=', id)
      .where('owner', '=', owner)
      .executeTakeFirst();
    if (!row) throw new JobNotFoundError();
    return row;
  }

  /**
   * Counts by item state and result status, in one grouped scan of the job's
   * items. The rate is over the last minute, or the job's age when shorter;
   * it counts only items a worker finished within the window
   * (claimed, so `attempts > 0`, or a duplicate given its first's result):
   * rows refused at import and items skipped by a cancel also have `done_at`,
   * but were never verified and would make the rate and ETA up.
   */
  async #view(row: Selectable<JobsTable>): Promise<JobView> {
    const now = this.#now();
    const since = now - RATE_WINDOW_SECONDS * 1000;
    // A job younger than the window has not had the whole minute to work:
    // dividing by 60 s would understate its rate and overstate its ETA.
    const windowSeconds = Math.min(RATE_WINDOW_SECONDS, Math.max(1, (now - row.created_at) / 1000));
    const groups = await this.#db
      .selectFrom('job_items')
      .select((eb) => [
        'state',
        'status',
        eb.fn.countAll<number | string>().as('n'),
        eb.fn
          .sum<number | string | null>(
            eb
              .case()
              .when(
                eb.and([
                  eb('done_at', '>=', since),
                  eb('state', 'in', ['done', 'error']),
                  eb.or([eb('attempts', '>', 0), eb('canonical_no', 'is not', null)]),
                ]),
              )
              .then(1)
              .else(0)
              .end(),
          )
          .as('recent'),
      ])
      .where('job_id', '=', row.id)
      .groupBy(['state', 'status'])
      .execute();
    const counts: JobCounts = emptyCounts();
    let recent = 0;
    for (const g of groups) {
      const n = Number(g.n);
      counts.total += n;
      counts[g.state] += n;
      recent += Number(g.recent ?? 0);
      if (g.state === 'done' && (STATUSES as readonly string[]).includes(g.status ?? '')) {
        counts[g.status as (typeof STATUSES)[number]] += n;
      }
    }
    return toJobView(row, counts, recent, windowSeconds);
  }
}
