import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { sanitizeForLog } from '../../observability/logger.js';
import {
  ApiProblem,
  PROBLEM_TYPES,
  problemType,
  statusTitle,
  type ProblemBody,
  type ProblemSlug,
} from '../api-problem.js';
import { MailvetError } from '../../errors.js';

/** Media type of every error response (RFC 9457 §3). */
export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/** Most schema violations listed in one response; the rest are summarised by the first. */
const MAX_LISTED_ERRORS = 10;

/** fastify error codes that map to a specific mailvet problem type. */
const FASTIFY_CODE_SLUGS: Record<string, ProblemSlug> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid-json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid-json',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload-too-large',
  FST_ERR_VALIDATION: 'invalid-request',
};

/** Send one problem details response. Pre-serialised so no route schema can strip fields. */
export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  problem: Omit<ProblemBody, 'instance'>,
  headers: Readonly<Record<string, string>> = {},
): FastifyReply {
  for (const [name, value] of Object.entries(headers)) reply.header(name, value);
  const body: ProblemBody = { ...problem, instance: request.id };
  return reply.code(problem.status).type(PROBLEM_MEDIA_TYPE).send(JSON.stringify(body));
}

/** Problem for a slug with mailvet's title. */
export function problemOf(
  status: number,
  slug: ProblemSlug,
  detail: string,
): Omit<ProblemBody, 'instance'> {
  return { type: problemType(slug), title: PROBLEM_TYPES[slug], status, detail };
}

/**
 * Render every error as problem+json: schema violations and body parse
 * failures as 4xx with a sanitised detail, mailvet errors with their own
 * status, anything unexpected as a 500 whose detail reveals nothing (the
 * request id in `instance` leads to the log line).
 */
export function toProblem(err: unknown): {
  problem: Omit<ProblemBody, 'instance'>;
  headers: Readonly<Record<string, string>>;
  internal: boolean;
} {
  if (err instanceof ApiProblem) {
    return {
      problem: problemOf(err.statusCode, err.slug, err.message),
      headers: err.headers,
      internal: false,
    };
  }
  const e = err as Partial<FastifyError> & {
    validation?: Array<{ instancePath?: string; message?: string }>;
  };
  if (Array.isArray(e.validation)) {
    const where = e.validationContext ?? 'request';
    const errors = e.validation.slice(0, MAX_LISTED_ERRORS).map((v) => ({
      location: sanitizeForLog(`${where}${v.instancePath ?? ''}`),
      message: sanitizeForLog(v.message ?? 'is invalid'),
    }));
    const first = errors[0];
    const detail = first
      ? `${first.location} ${first.message}`
      : 'request does not match the schema';
    return {
      problem: { ...problemOf(400, 'invalid-request', detail), errors },
      headers: {},
      internal: false,
    };
  }
  const slug = typeof e.code === 'string' ? FASTIFY_CODE_SLUGS[e.code] : undefined;
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (slug && status < 500) {
    return {
      problem: problemOf(status, slug, sanitizeForLog(String(e.message ?? ''))),
      headers: {},
      internal: false,
    };
  }
  if (err instanceof MailvetError && err.statusCode < 500) {
    return {
      problem: {
        type: 'about:blank',
        title: statusTitle(err.statusCode),
        status: err.statusCode,
        detail: sanitizeForLog(err.message),
      },
      headers: {},
      internal: false,
    };
  }
  if (status >= 400 && status < 500) {
    return {
      problem: {
        type: 'about:blank',
        title: statusTitle(status),
        status,
        detail: sanitizeForLog(String(e.message ?? '')),
      },
      headers: {},
      internal: false,
    };
  }
  if (err instanceof MailvetError && err.statusCode === 503) {
    return {
      problem: problemOf(
        503,
        'service-unavailable',
        'the service is shutting down or a dependency is unavailable',
      ),
      headers: { 'retry-after': '5' },
      internal: true,
    };
  }
  return {
    problem: problemOf(
      500,
      'internal-error',
      'an unexpected error occurred; quote the instance id when reporting it',
    ),
    headers: {},
    internal: true,
  };
}

/**
 * Installs the error and not-found handlers on the root instance (lifted by
 * fastify-plugin); child contexts inherit them, so there is one error format.
 */
export const problemJsonPlugin = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((err, request, reply) => {
      const { problem, headers, internal } = toProblem(err);
      if (internal) request.log.error({ err }, 'request failed');
      return sendProblem(request, reply, problem, headers);
    });
    app.setNotFoundHandler((request, reply) =>
      sendProblem(
        request,
        reply,
        problemOf(
          404,
          'not-found',
          `no route for ${request.method} ${sanitizeForLog(request.url.split('?')[0] ?? '')}`,
        ),
      ),
    );
  },
  { name: 'mailvet-problem-json', fastify: '5.x' },
);
