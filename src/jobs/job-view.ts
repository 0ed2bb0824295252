import type { Selectable } from 'kysely';
import type { JobState, JobsTable, WebhookState } from './job-tables.js';

/** Options a job is created with. */
export interface JobOptions {
  /** Probe SMTP (default: the server's setting). */
  smtp?: boolean;
}

/** Item counts, all derived from item rows at read time. */
export interface JobCounts {
  total: number;
  pending: number;
  leased: number;
  done: number;
  error: number;
  skipped: number;
  /** Finished items by verification status. */
  deliverable: number;
  undeliverable: number;
  risky: number;
  unknown: number;
}

/** A job as the API and CLI show it. Times are ISO 8601 UTC. */
export interface JobView {
  id: string;
  state: JobState;
  options: JobOptions;
  columns: string[];
  emailColumn: number;
  counts: JobCounts;
  /** Finished share (done + error + skipped) of all items, 0..100. */
  percent: number;
  /**
   * Items verified per second over the last minute, or since the job was
   * created when that is shorter (by workers: not import errors or skipped items).
   */
  ratePerSecond: number;
  /** Seconds to finish at the current rate; null when unknown or finished. */
  etaSeconds: number | null;
  webhook: {
    url: string;
    state: WebhookState;
    attempts: number;
    lastError: string | null;
  } | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function toJobView(
  row: Selectable<JobsTable>,
  counts: JobCounts,
  recentDone: number,
  windowSeconds: number,
): JobView {
  const finished = counts.done + counts.error + counts.skipped;
  const remaining = counts.pending + counts.leased;
  const rate = recentDone / windowSeconds;
  const open = row.state === 'running' || row.state === 'importing';
  return {
    id: row.id,
    state: row.state,
    options: JSON.parse(row.options) as JobOptions,
    columns: JSON.parse(row.columns) as string[],
    emailColumn: row.email_column,
    counts,
    percent: counts.total === 0 ? 100 : Math.floor((finished / counts.total) * 1000) / 10,
    ratePerSecond: Math.round(rate * 100) / 100,
    etaSeconds: open && remaining > 0 && rate > 0 ? Math.ceil(remaining / rate) : null,
    webhook:
      row.webhook_url === null
        ? null
        : {
            url: row.webhook_url,
            state: row.webhook_state,
            attempts: row.webhook_attempts,
            lastError: row.webhook_last_error,
          },
    error: row.error,
    createdAt: iso(row.created_at)!,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
  };
}

export function emptyCounts(): JobCounts {
  return {
    total: 0,
    pending: 0,
    leased: 0,
    done: 0,
    error: 0,
    skipped: 0,
    deliverable: 0,
    undeliverable: 0,
    risky: 0,
    unknown: 0,
  };
}
