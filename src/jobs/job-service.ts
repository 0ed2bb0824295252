import type { Kysely, Selectable } from 'kysely';
import type { Database, EpochMs } from '../store/schema.js';
import type { StoreAdapter } from '../store/store-adapter.js';
import type { JobsTable } from './job-tables.js';
import type { JobsConfig } from './jobs-config.js';
import { newJobId, newWebhookSecret } from './job-id.js';
import { importItems, type JobInput } from './job-import.js';
import { JobNotFoundError } from './job-errors.js';
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
      const summary = await importItems(this.#db, this.#adapter, id, req.input, this.#jobs, now);
      await this.#db
        .updateTable('jobs')
        .set({
          state: 'running',
          columns: JSON.stringify(summary.columns),
          email_column: summary.emailColumn,
          total_items: summary.rows,
          started_at: this.#now(),
        })
        .where('id', '=', id)
        .execute();
    } catch (err) {
      await this.#db.deleteFrom('job_items').where('job_id', '=', id).execute();
      await this.#db.deleteFrom('jobs').where('id', '=', id).execute();
      throw err;
    }
    return { job: await this.get(req.owner, id), created: true, webhookSecret: secret };
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
   * Cancel: pending items become `skipped`; items a worker holds finish and
   * keep their results. Cancelling a finished job changes nothing.
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

  /** Counts by item state and result status, in one grouped scan of the job's items. */
  async #view(row: Selectable<JobsTable>): Promise<JobView> {
    const since = this.#now() - RATE_WINDOW_SECONDS * 1000;
    const groups = await this.#db
      .selectFrom('job_items')
      .select((eb) => [
        'state',
        'status',
        eb.fn.countAll<number | string>().as('n'),
        eb.fn
          .sum<number | string | null>(eb.case().when('done_at', '>=', since).then(1).else(0).end())
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
    return toJobView(row, counts, recent, RATE_WINDOW_SECONDS);
  }
}
