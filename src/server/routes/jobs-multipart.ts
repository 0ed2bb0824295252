import type { FastifyRequest } from 'fastify';
import type { Multipart, MultipartFile } from '@fastify/multipart';
import type { JobInput } from '../../jobs/job-import.js';
import { MAX_WEBHOOK_URL_LENGTH } from '../../jobs/webhook-url.js';
import { ApiProblem } from '../api-problem.js';

/** Name of the form part holding the CSV file. */
export const MULTIPART_FILE_FIELD = 'file';
/** Option fields a form may carry (before the file: the upload is read as a stream). */
const OPTION_FIELDS = ['column', 'smtp', 'webhookUrl'] as const;
type OptionField = (typeof OPTION_FIELDS)[number];
/** Media types of a file part accepted as CSV; browsers send the Excel one for .csv on Windows. */
const CSV_PART_TYPES = ['text/csv', 'application/csv', 'application/vnd.ms-excel'];
/** Longest option value (a webhook URL is the longest). */
export const MAX_MULTIPART_FIELD_BYTES = MAX_WEBHOOK_URL_LENGTH;
/** Parts per form: the option fields, the file, and slack for empty ones. */
export const MAX_MULTIPART_PARTS = 8;
const WEBHOOK_URL = /^https?:\/\/[^\u0000-\u0020\u007f]+$/;

/** A multipart job upload, its file part not yet read. */
export interface MultipartJob {
  input: Extract<JobInput, { kind: 'csv' }>;
  smtp?: boolean;
  webhookUrl?: string;
}

/**
 * Read a `multipart/form-data` job upload up to its CSV file part (field
 * `file`), taking the option fields before it. The file is streamed into
 * the import like a `text/csv` body; busboy stops it one byte past
 * `maxUploadBytes`, so the import's own byte limit answers 413. Every limit
 * of the form itself is explicit: parts, fields, field sizes, one file.
 * Whatever of the form is left unread (parts after the file, the rest after
 * a refusal) the route discards with the request body (discardUpload).
 */
export async function readMultipartJob(
  request: FastifyRequest,
  maxUploadBytes: number,
): Promise<MultipartJob> {
  const parts = request.parts({
    limits: {
      files: 1,
      fields: OPTION_FIELDS.length,
      parts: MAX_MULTIPART_PARTS,
      fieldNameSize: 100,
      fieldSize: MAX_MULTIPART_FIELD_BYTES,
      // One byte more than allowed: csvRows then sees the excess and throws
      // the same JobLimitError as for a text/csv body.
      fileSize: maxUploadBytes + 1,
      headerPairs: 100,
    },
  });
  const iterator = parts[Symbol.asyncIterator]();
  const fields: Partial<Record<OptionField, string>> = {};
  let file: MultipartFile | undefined;
  while (!file) {
    const next = await iterator.next();
    if (next.done) {
      throw new ApiProblem(
        400,
        'invalid-request',
        `the form has no CSV file part named "${MULTIPART_FILE_FIELD}"`,
      );
    }
    const part: Multipart = next.value;
    if (part.type === 'field') {
      fields[checkField(part.fieldname, part.value, part.valueTruncated)] = String(part.value);
      continue;
    }
    if (part.fieldname !== MULTIPART_FILE_FIELD) {
      throw new ApiProblem(400, 'invalid-request', `unexpected file part "${part.fieldname}"`);
    }
    if (!isCsvPart(part)) {
      throw new ApiProblem(
        415,
        'unsupported-media-type',
        `the file part must be CSV (text/csv), not ${part.mimetype || 'untyped'}`,
      );
    }
    file = part;
  }
  if (fields.smtp !== undefined && fields.smtp !== 'true' && fields.smtp !== 'false') {
    throw new ApiProblem(400, 'invalid-request', 'smtp must be "true" or "false"');
  }
  if (fields.webhookUrl !== undefined && !WEBHOOK_URL.test(fields.webhookUrl)) {
    throw new ApiProblem(400, 'invalid-request', 'webhookUrl must be an http(s) URL');
  }
  return {
    input: { kind: 'csv', body: file.file, column: fields.column },
    smtp: fields.smtp === undefined ? undefined : fields.smtp === 'true',
    webhookUrl: fields.webhookUrl,
  };
}

function checkField(name: string, value: unknown, truncated: boolean): OptionField {
  if (!(OPTION_FIELDS as readonly string[]).includes(name)) {
    throw new ApiProblem(
      400,
      'invalid-request',
      `unknown form field (expected ${OPTION_FIELDS.join(', ')} and a "${MULTIPART_FILE_FIELD}" part)`,
    );
  }
  const text = String(value);
  if (truncated || text.length === 0 || text.length > MAX_MULTIPART_FIELD_BYTES) {
    throw new ApiProblem(400, 'invalid-request', `form field ${name} is empty or too long`);
  }
  if (name === 'column' && text.length > 200) {
    throw new ApiProblem(400, 'invalid-request', 'column is longer than 200 characters');
  }
  return name as OptionField;
}

/** CSV by media type, or a generic binary part whose file name says .csv. */
function isCsvPart(part: MultipartFile): boolean {
  const type = part.mimetype.split(';')[0].trim().toLowerCase();
  if (CSV_PART_TYPES.includes(type)) return true;
  return type === 'application/octet-stream' && /\.csv$/i.test(part.filename);
}
