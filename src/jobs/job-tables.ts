import type { EpochMs } from '../store/schema.js';

/** Lifecycle of a job; see docs/jobs.md. */
export const JOB_STATES = ['importing', 'running', 'completed', 'cancelled', 'failed'] as const;
export type JobState = (typeof JOB_STATES)[number];

/**
 * Lifecycle of one item. `pending` items are claimable once `not_before` has
 * passed; `leased` items belong to `lease_owner` until `lease_expires_at`;
 * `done` holds a result; `error` is final without a result (malformed row,
 * attempts exhausted); `skipped` is an item of a cancelled job that was
 * never verified (pending at the cancel, or released/expired after it).
 */
export const ITEM_STATES = ['pending', 'leased', 'done', 'error', 'skipped'] as const;
export type ItemState = (typeof ITEM_STATES)[number];

/** Webhook delivery of the completion notice. */
export const WEBHOOK_STATES = ['none', 'pending', 'delivered', 'failed'] as const;
export type WebhookState = (typeof WEBHOOK_STATES)[number];

export interface JobsTable {
  /** `job_` + 22 base62 characters from a CSPRNG: unguessable, safe in URLs. */
  id: string;
  /** Tenant of the API key that created the job; only it can see the job. */
  owner: string;
  /** Key id that created it (audit; the owner may hold several keys). */
  created_by: string | null;
  state: JobState;
  /** JSON of JobOptions. */
  options: string;
  /** Idempotency-Key header; unique per owner when set. */
  idempotency_key: string | null;
  /** JSON array of the input's header cells. */
  columns: string;
  /** Index of the address column in `columns`. */
  email_column: number;
  /** Rows imported (fixed once the import ended; items are the truth). */
  total_items: number;
  error: string | null;
  webhook_url: string | null;
  /** HMAC key of the webhook; null when the config-wide secret signs. */
  webhook_secret: string | null;
  webhook_state: WebhookState;
  webhook_attempts: number;
  webhook_next_at: EpochMs | null;
  /** A worker delivering the webhook holds it until then. */
  webhook_lease_until: EpochMs | null;
  webhook_last_error: string | null;
  created_at: EpochMs;
  /**
   * While `importing`: last sign of life of the importing process (set at
   * creation and every few seconds while rows arrive). A job whose heartbeat
   * is older than `jobs.importStaleSeconds` lost its importer and is failed.
   */
  import_heartbeat_at: EpochMs | null;
  started_at: EpochMs | null;
  finished_at: EpochMs | null;
}

export interface JobItemsTable {
  job_id: string;
  /** 1-based position in the input; with job_id the primary key. */
  item_no: number;
  /** JSON array of the original row's cells. */
  cells: string;
  email: string;
  /** Lower-cased, trimmed address: items with equal keys are verified once. */
  dedupe_key: string;
  /** Domain used to group claims so one SMTP session serves a batch. */
  domain: string;
  /**
   * Which import transaction wrote the item (0, 1, …). Claims group by
   * (job, import_batch, domain): see the claim index in migration 002.
   */
  import_batch: number;
  state: ItemState;
  /** For a duplicate: item_no of the first item with the same dedupe_key. */
  canonical_no: number | null;
  lease_owner: string | null;
  lease_expires_at: EpochMs | null;
  not_before: EpochMs;
  attempts: number;
  /** VerificationResult status, copied out of `result` for filters and counts. */
  status: string | null;
  /** JSON of the VerificationResult. */
  result: string | null;
  error: string | null;
  done_at: EpochMs | null;
}

declare module '../store/schema.js' {
  interface Database {
    jobs: JobsTable;
    job_items: JobItemsTable;
  }
}
