import { Type } from 'typebox';
import { EmailInput } from './common-schemas.js';
import { JOB_STATES, WEBHOOK_STATES } from '../../jobs/job-tables.js';
import { EXPORT_STATUSES } from '../../jobs/job-export.js';
import { MAX_WEBHOOK_URL_LENGTH } from '../../jobs/webhook-url.js';

const NullableDate = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);
const Count = Type.Integer({ minimum: 0 });

export const JobIdParams = Type.Object(
  { id: Type.String({ pattern: '^job_[0-9A-Za-z]{22}$' }) },
  { additionalProperties: false },
);

/** Longest Idempotency-Key header accepted. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

const WebhookUrl = Type.String({
  minLength: 8,
  maxLength: MAX_WEBHOOK_URL_LENGTH,
  pattern: '^https?://[^\\u0000-\\u0020\\u007f]+$',
  description: 'POSTed a signed notice when the job completes',
});

export const JobOptionsSchema = Type.Object(
  {
    smtp: Type.Optional(Type.Boolean({ description: 'probe SMTP (default: server setting)' })),
    webhookUrl: Type.Optional(WebhookUrl),
  },
  { additionalProperties: false },
);

/** JSON form of POST /v1/jobs. Its size is bounded by `jobs.maxJsonBytes` and `jobs.maxRows`. */
export const CreateJobJsonBody = Type.Object(
  { emails: Type.Array(EmailInput, { minItems: 1 }), options: Type.Optional(JobOptionsSchema) },
  { additionalProperties: false },
);

/**
 * What POST /v1/jobs accepts, for the OpenAPI document only. The route takes
 * three media types and checks each itself (a CSV body is a stream, which no
 * schema validator can read), so this is never compiled into a validator.
 */
export const CreateJobRequestDocs = {
  headers: Type.Object({
    'idempotency-key': Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: MAX_IDEMPOTENCY_KEY_LENGTH,
        pattern: '^[\\x21-\\x7e]+$',
        description:
          'Replays the job an earlier request of the same tenant made with this key (200) instead of creating another',
      }),
    ),
  }),
  body: {
    content: {
      'application/json': {
        schema: {
          ...CreateJobJsonBody,
          description:
            'Parsed whole in memory: at most jobs.maxJsonBytes (16 MiB by default) and jobs.maxRows addresses',
        },
      },
      'text/csv': {
        schema: Type.String({
          description:
            'The CSV file, header row first; options in the query string. Streamed: at most jobs.maxUploadBytes and jobs.maxRows',
        }),
      },
      'multipart/form-data': {
        schema: Type.Object({
          column: Type.Optional(Type.String({ maxLength: 200 })),
          smtp: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
          webhookUrl: Type.Optional(WebhookUrl),
          file: Type.String({
            format: 'binary',
            description: 'The CSV file; the option fields must come before it',
          }),
        }),
      },
    },
  },
};

/**
 * The 200 of GET /v1/jobs/{id}/results, for the OpenAPI document only: the
 * route streams it (CSV or a JSON array written page by page), which a
 * response serializer must not touch.
 */
export const JobResultsResponseDocs = {
  200: {
    description: 'Rows in input order, streamed; `format` picks the media type',
    content: {
      'text/csv': {
        schema: Type.String({
          description:
            'The input columns, then mv_item, mv_state, the result columns (mv_status, mv_reason, …) and mv_error',
        }),
      },
      'application/json': {
        schema: Type.Array(
          Type.Object({
            item: Type.Integer({ minimum: 1 }),
            state: Type.String({ description: 'done, error, pending or skipped' }),
            row: Type.Record(Type.String(), Type.String(), {
              description: 'Input cells by header name; a repeated name gets _2, _3, …',
            }),
            result: Type.Union([Type.Ref('VerificationResult'), Type.Null()]),
            error: Type.Union([Type.String(), Type.Null()]),
          }),
        ),
      },
    },
  },
};

/** Query of POST /v1/jobs with a CSV body (options cannot ride in the body). */
export const CreateJobQuery = Type.Object(
  {
    column: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    smtp: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
    webhookUrl: Type.Optional(WebhookUrl),
  },
  { additionalProperties: false },
);

export const ResultsQuery = Type.Object(
  {
    format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('json')])),
    status: Type.Optional(
      Type.String({
        maxLength: 200,
        pattern: `^(${EXPORT_STATUSES.join('|')})(,(${EXPORT_STATUSES.join('|')}))*$`,
        description: `comma-separated: ${EXPORT_STATUSES.join(', ')}`,
      }),
    ),
    formulaGuard: Type.Optional(
      Type.Union([Type.Literal('true'), Type.Literal('false')], {
        description:
          "CSV: prefix ' to result cells from untrusted text starting with = + - @ TAB CR " +
          '(default true; input columns are never changed)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const ListJobsQuery = Type.Object(
  { limit: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,2}$' })) },
  { additionalProperties: false },
);

export const JobSchema = Type.Object({
  id: Type.String(),
  state: Type.Union(JOB_STATES.map((s) => Type.Literal(s))),
  options: Type.Object({ smtp: Type.Optional(Type.Boolean()) }),
  columns: Type.Array(Type.String()),
  emailColumn: Type.Integer(),
  counts: Type.Object({
    total: Count,
    pending: Count,
    leased: Count,
    done: Count,
    error: Count,
    skipped: Count,
    deliverable: Count,
    undeliverable: Count,
    risky: Count,
    unknown: Count,
  }),
  percent: Type.Number({ minimum: 0, maximum: 100 }),
  ratePerSecond: Type.Number({
    minimum: 0,
    description:
      'Items verified per second over the last minute (over the job’s age while younger)',
  }),
  etaSeconds: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  webhook: Type.Union([
    Type.Object({
      url: Type.String(),
      state: Type.Union(WEBHOOK_STATES.map((s) => Type.Literal(s))),
      attempts: Count,
      lastError: Type.Union([Type.String(), Type.Null()]),
    }),
    Type.Null(),
  ]),
  error: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  startedAt: NullableDate,
  finishedAt: NullableDate,
});

/** A created job: the job, plus its webhook secret when it has its own. */
export const CreatedJobSchema = Type.Object({
  job: JobSchema,
  webhookSecret: Type.Union([Type.String(), Type.Null()], {
    description: 'HMAC key of the Mailvet-Signature header (null: the server-wide secret signs)',
  }),
});
