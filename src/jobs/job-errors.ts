import { MailvetError } from '../errors.js';

/** A job exceeds a configured limit (rows per job, upload bytes). */
export class JobLimitError extends MailvetError {
  constructor(message: string) {
    super('MV_ERR_JOB_LIMIT', message, 413);
    this.name = 'JobLimitError';
  }
}

/** The job's input cannot be used at all (no header, no address column, bad webhook URL). */
export class JobInputError extends MailvetError {
  constructor(message: string) {
    super('MV_ERR_JOB_INPUT', message, 400);
    this.name = 'JobInputError';
  }
}

/** No such job for this owner (another owner's job is reported the same way). */
export class JobNotFoundError extends MailvetError {
  constructor() {
    super('MV_ERR_JOB_NOT_FOUND', 'no such job', 404);
    this.name = 'JobNotFoundError';
  }
}

/**
 * The import stopped progressing for longer than `jobs.importStaleSeconds`
 * (a stalled upload, or the importer was presumed dead) and the job was
 * failed meanwhile; upload the list again.
 */
export class JobImportAbandonedError extends MailvetError {
  constructor(message: string) {
    super('MV_ERR_JOB_IMPORT_ABANDONED', message, 400);
    this.name = 'JobImportAbandonedError';
  }
}
