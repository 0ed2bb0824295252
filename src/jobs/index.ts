/** The jobs layer's public surface: bulk jobs, the database queue and its workers. */
export type { JobsConfig } from './jobs-config.js';
export type { JobState, ItemState, WebhookState, JobsTable, JobItemsTable } from './job-tables.js';
export { JobService, RATE_WINDOW_SECONDS, MAX_JOB_LIST } from './job-service.js';
export type { CreateJobRequest, CreatedJob, JobServiceOptions } from './job-service.js';
export type { JobInput, ImportLimits } from './job-import.js';
export type { JobView, JobCounts, JobOptions } from './job-view.js';
export { EXPORT_STATUSES, EXPORT_EXTRA_COLUMNS } from './job-export.js';
export type { ExportFormat, ExportFilter, ExportStatus } from './job-export.js';
export { createJobQueue } from './job-queue.js';
export type { JobQueue, ClaimedBatch, ClaimedItem, ItemOutcome } from './job-queue.js';
export { startWorkers, DEFAULT_STOP_GRACE_MS, IMPORT_REAP_INTERVAL_MS } from './start-workers.js';
export type { StartWorkersOptions, JobWorkers } from './start-workers.js';
export type { JobLog } from './job-worker.js';
export {
  JobLimitError,
  JobInputError,
  JobNotFoundError,
  JobImportAbandonedError,
} from './job-errors.js';
export { JOB_ID_PATTERN } from './job-id.js';
export { signWebhook, verifyWebhookSignature, SIGNATURE_HEADER } from './webhook-signature.js';
