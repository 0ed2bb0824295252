import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import fastifyMultipart from '@fastify/multipart';
import { Type, type Static } from 'typebox';
import type { JobService } from '../../jobs/job-service.js';
import type { JobsConfig } from '../../jobs/jobs-config.js';
import type { ExportStatus } from '../../jobs/job-export.js';
import type { JobInput } from '../../jobs/job-import.js';
import {
  JobImportAbandonedError,
  JobInputError,
  JobLimitError,
  JobNotFoundError,
} from '../../jobs/job-errors.js';
import { ApiProblem } from '../api-problem.js';
import { discardUpload } from '../discard-upload.js';
import {
  API_KEY_SECURITY,
  AUTHED_ERRORS,
  MAX_EMAIL_LENGTH,
  UNSAFE_TEXT_CHARS,
} from '../schemas/common-schemas.js';
import { ProblemSchema } from '../schemas/result-schema.js';
import type { CreateJobJsonBody } from '../schemas/job-schemas.js';
import { readMultipartJob, type MultipartJob } from './jobs-multipart.js';
import {
  CreatedJobSchema,
  CreateJobQuery,
  CreateJobRequestDocs,
  JobResultsResponseDocs,
  IDEMPOTENCY_KEY_PATTERN,
  JobIdParams,
  JobSchema,
  ListJobsQuery,
  ResultsQuery,
} from '../schemas/job-schemas.js';

/** Media types accepted as a streamed CSV upload. */
const CSV_TYPES = ['text/csv', 'application/csv'];

const CONTROL = new RegExp(`[${UNSAFE_TEXT_CHARS}]`);
const problem = (description: string) => ({ ...ProblemSchema, description });
const NOT_FOUND = { 404: problem('no such job for this key') };

export interface JobRoutesOptions {
  service: JobService;
  jobs: JobsConfig;
}

/**
 * Bulk jobs — scope `jobs`. A job belongs to the tenant of the key that
 * created it; any other tenant gets 404, exactly as for an unknown id.
 */
export async function jobRoutes(app: FastifyInstance, options: JobRoutesOptions): Promise<void> {
  const { service, jobs } = options;
  const common = { tags: ['jobs'], security: API_KEY_SECURITY };

  // The CSV body reaches the handler as the raw request stream: it is parsed
  // and inserted as it arrives, so an upload never sits in memory.
  app.addContentTypeParser(CSV_TYPES, (_request, payload, done) => done(null, payload));
  // multipart/form-data for these routes only: this plugin's context is
  // encapsulated, so no other route accepts forms. Limits are set per request
  // in readMultipartJob; these are the defaults should anything else read one.
  await app.register(fastifyMultipart, {
    limits: { files: 1, parts: 8, fields: 3, fieldSize: 2048, fileSize: jobs.maxUploadBytes + 1 },
  });

  // Only the JSON body is read by fastify's own parser (CSV and multipart
  // stream, held to maxUploadBytes by the import), so this bounds JSON alone.
  const jsonLimit = Math.min(jobs.maxJsonBytes, jobs.maxUploadBytes);
  app.post<{ Body: unknown; Querystring: Static<typeof CreateJobQuery> }>(
    '/v1/jobs',
    {
      bodyLimit: jsonLimit,
      // Say which limit it was and what to do instead; anything else goes on
      // to the app's problem+json handler.
      errorHandler: (err, _request, _reply) => {
        if (err.code !== 'FST_ERR_CTP_BODY_TOO_LARGE') throw err;
        throw new ApiProblem(
          413,
          'payload-too-large',
          `a JSON job body is limited to ${jsonLimit} bytes (jobs.maxJsonBytes); send longer lists as a CSV upload`,
        );
      },
      config: {
        scope: 'jobs',
        action: 'jobs.create',
        swaggerTransform: ({ schema, url }) => ({
          schema: { ...schema, ...CreateJobRequestDocs },
          url,
        }),
      },
      // Whatever the answer (a job, a replay, a refused upload, a refusal
      // before the body was looked at), the rest of an upload nobody reads is
      // read and thrown away, within bounds, so the answer reaches a client
      // still sending; see discardUpload.
      onSend: (request, reply, payload, done) => {
        discardUpload(request.raw, reply.raw);
        done(null, payload);
      },
      schema: {
        ...common,
        summary:
          'Create a job from a CSV upload (text/csv or multipart/form-data) or a JSON list of addresses',
        description:
          'CSV: the body is the file (header row required); options in the query string. ' +
          'multipart/form-data: option fields `column`, `smtp`, `webhookUrl` first, then the CSV ' +
          'as file part `file`. ' +
          'JSON: `{emails, options}`. `Idempotency-Key` replays the job an earlier request created.',
        querystring: CreateJobQuery,
        response: {
          200: {
            ...CreatedJobSchema,
            description: 'replayed: the job made by an earlier request with this Idempotency-Key',
          },
          201: CreatedJobSchema,
          ...AUTHED_ERRORS,
          413: problem('too many rows or too many bytes'),
          415: problem('a multipart file part that is not CSV'),
        },
      },
    },
    async (request, reply) => {
      const owner = request.apiKey!.tenant;
      const idempotencyKey = readIdempotencyKey(request);
      const isCsv = CSV_TYPES.includes(mediaType(request));
      let input: JobInput;
      let smtp: boolean | undefined;
      let webhookUrl: string | undefined;
      let form: MultipartJob | undefined;
      if (request.isMultipart()) {
        form = await readMultipartJob(request, jobs.maxUploadBytes).catch((e: unknown) => {
          throw asProblem(e);
        });
        input = form.input;
        const q = request.query;
        smtp = form.smtp ?? (q.smtp === undefined ? undefined : q.smtp === 'true');
        webhookUrl = form.webhookUrl ?? q.webhookUrl;
        if (input.column === undefined) input.column = q.column;
      } else if (isCsv) {
        const q = request.query;
        input = { kind: 'csv', body: request.body as Readable, column: q.column };
        smtp = q.smtp === undefined ? undefined : q.smtp === 'true';
        webhookUrl = q.webhookUrl;
      } else {
        const body = checkJsonBody(request.body);
        if (body.emails.length > jobs.maxRows) {
          throw new ApiProblem(
            413,
            'payload-too-large',
            `a job holds at most ${jobs.maxRows} rows`,
          );
        }
        input = { kind: 'emails', emails: body.emails };
        smtp =
          body.options?.smtp ??
          (request.query.smtp === undefined ? undefined : request.query.smtp === 'true');
        webhookUrl = body.options?.webhookUrl ?? request.query.webhookUrl;
      }
      try {
        const created = await service.create({
          owner,
          createdBy: request.apiKey!.id,
          idempotencyKey,
          options: smtp === undefined ? {} : { smtp },
          webhookUrl: webhookUrl ?? null,
          input,
        });
        request.auditObject = created.job.id;
        // Parts after the file are ignored (discarded on sending, like the
        // body of a replay); a form limit they break changes nothing now.
        return reply.code(created.created ? 201 : 200).send(created);
      } catch (err) {
        // The import has let go of the body; onSend discards what is left.
        throw asProblem(err);
      }
    },
  );

  app.get<{ Querystring: Static<typeof ListJobsQuery> }>(
    '/v1/jobs',
    {
      config: { scope: 'jobs', action: 'jobs.list' },
      schema: {
        ...common,
        summary: "List the caller's jobs, newest first",
        querystring: ListJobsQuery,
        response: { 200: Type.Object({ jobs: Type.Array(JobSchema) }), ...AUTHED_ERRORS },
      },
    },
    async (request) => {
      const limit = request.query.limit === undefined ? undefined : Number(request.query.limit);
      return { jobs: await service.list(request.apiKey!.tenant, limit) };
    },
  );

  app.get<{ Params: Static<typeof JobIdParams> }>(
    '/v1/jobs/:id',
    {
      config: { scope: 'jobs', action: 'jobs.get' },
      schema: {
        ...common,
        summary: 'Job state, counts by status, percent, rate and ETA',
        params: JobIdParams,
        response: { 200: JobSchema, ...AUTHED_ERRORS, ...NOT_FOUND },
      },
    },
    async (request) => {
      request.auditObject = request.params.id;
      return service.get(request.apiKey!.tenant, request.params.id).catch((e: unknown) => {
        throw asProblem(e);
      });
    },
  );

  app.get<{ Params: Static<typeof JobIdParams>; Querystring: Static<typeof ResultsQuery> }>(
    '/v1/jobs/:id/results',
    {
      config: {
        scope: 'jobs',
        action: 'jobs.results',
        swaggerTransform: ({ schema, url }) => ({
          schema: {
            ...schema,
            response: { ...(schema.response as object), ...JobResultsResponseDocs },
          },
          url,
        }),
      },
      schema: {
        ...common,
        summary: 'Stream the rows with their results (original columns first)',
        params: JobIdParams,
        querystring: ResultsQuery,
        response: { ...AUTHED_ERRORS, ...NOT_FOUND },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      request.auditObject = id;
      const format = request.query.format ?? 'csv';
      const statuses = (request.query.status?.split(',') ?? []) as ExportStatus[];
      const chunks = await service
        .export(request.apiKey!.tenant, id, format, {
          statuses,
          formulaGuard: request.query.formulaGuard !== 'false',
        })
        .catch((e: unknown) => {
          throw asProblem(e);
        });
      reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="${id}.${format}"`);
      return reply.send(Readable.from(chunks));
    },
  );

  app.delete<{ Params: Static<typeof JobIdParams> }>(
    '/v1/jobs/:id',
    {
      config: { scope: 'jobs', action: 'jobs.cancel' },
      schema: {
        ...common,
        summary: 'Cancel a job: pending items are skipped; results so far are kept',
        params: JobIdParams,
        response: { 200: JobSchema, ...AUTHED_ERRORS, ...NOT_FOUND },
      },
    },
    async (request) => {
      request.auditObject = request.params.id;
      return service.cancel(request.apiKey!.tenant, request.params.id).catch((e: unknown) => {
        throw asProblem(e);
      });
    },
  );
}

function mediaType(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

function readIdempotencyKey(request: FastifyRequest): string | null {
  const raw = request.headers['idempotency-key'];
  if (raw === undefined) return null;
  if (typeof raw !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(raw)) {
    throw new ApiProblem(
      400,
      'invalid-request',
      'Idempotency-Key must be 1–255 visible ASCII characters',
    );
  }
  return raw;
}

/** The JSON body, checked here because the route also takes CSV (one schema cannot cover both). */
function checkJsonBody(body: unknown): Static<typeof CreateJobJsonBody> {
  if (!isJobJsonBody(body)) {
    throw new ApiProblem(
      400,
      'invalid-request',
      'body must be {"emails": [string, …], "options"?: {smtp?, webhookUrl?}} or a text/csv upload',
    );
  }
  return body;
}

/** The rules of CreateJobJsonBody, checked in one linear pass. */
function isJobJsonBody(v: unknown): v is Static<typeof CreateJobJsonBody> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  if (Object.keys(o).some((k) => k !== 'emails' && k !== 'options')) return false;
  if (!Array.isArray(o.emails) || o.emails.length === 0) return false;
  const fine = (e: unknown) =>
    typeof e === 'string' && e.length >= 1 && e.length <= MAX_EMAIL_LENGTH && !CONTROL.test(e);
  if (!o.emails.every(fine)) return false;
  if (o.options === undefined) return true;
  if (typeof o.options !== 'object' || o.options === null) return false;
  const opts = o.options as Record<string, unknown>;
  if (Object.keys(opts).some((k) => k !== 'smtp' && k !== 'webhookUrl')) return false;
  if (opts.smtp !== undefined && typeof opts.smtp !== 'boolean') return false;
  return opts.webhookUrl === undefined || typeof opts.webhookUrl === 'string';
}

function asProblem(err: unknown): unknown {
  // Form limits (parts, fields, file size) from @fastify/multipart carry 413.
  const code = (err as { code?: unknown } | null)?.code;
  if (
    typeof code === 'string' &&
    /^FST_(PARTS|FILES|FIELDS)_LIMIT$|^FST_REQ_FILE_TOO_LARGE$/.test(code)
  ) {
    return new ApiProblem(413, 'payload-too-large', (err as Error).message);
  }
  if (err instanceof JobNotFoundError) return new ApiProblem(404, 'not-found', 'no such job');
  if (err instanceof JobLimitError) return new ApiProblem(413, 'payload-too-large', err.message);
  if (err instanceof JobInputError || err instanceof JobImportAbandonedError) {
    return new ApiProblem(400, 'invalid-request', err.message);
  }
  return err;
}
