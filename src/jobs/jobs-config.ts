/**
 * The `jobs.*` options (declared in src/config-options.ts), added to the
 * MailvetConfig type from here by declaration merging so the config seam
 * needs no edit.
 */
export interface JobsConfig {
  maxRows: number;
  maxUploadBytes: number;
  /** JSON bodies are parsed whole, so they get their own, smaller bound. */
  maxJsonBytes: number;
  /** Claim loops per worker process. */
  workers: number;
  batchSize: number;
  leaseSeconds: number;
  pollIntervalMs: number;
  maxAttempts: number;
  /** An `importing` job whose heartbeat is older than this is failed (its importer died). */
  importStaleSeconds: number;
  webhookSecret: string | null;
  webhookAllowPrivate: boolean;
  webhookMaxAttempts: number;
  webhookTimeoutMs: number;
  /** On a graceful stop, time the current batches get before their unfinished items are released. */
  stopGraceMs: number;
}

declare module '../config-types.js' {
  interface MailvetConfig {
    jobs: JobsConfig;
  }
}
