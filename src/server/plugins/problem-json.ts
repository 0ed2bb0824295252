import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifyServerOptions,
} from 'fastify';
import fp from 'fastify-plugin';
import type { Logger } from 'pino';
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
 * Path a request refused by fastify's router is sent on to. It matches no
 * route, so the request takes the not-found path, with every root hook —
 * request id, IP block, metrics, audit — and the not-found handler answers
 * with the refusal's problem instead.
 */
const REFUSED_PATH = '/.mailvet-refused-by-router';

/** Requests the router refused, with the problem to answer. */
const routerRefusals = new WeakMap<IncomingMessage, Omit<ProblemBody, 'instance'>>();

/** The problem for an error fastify's router raises before any route (and any hook) runs. */
function routerProblem(err: FastifyError): Omit<ProblemBody, 'instance'> {
  switch (err.code) {
    case 'FST_ERR_BAD_URL':
      return problemOf(400, 'invalid-request', 'the path is not valid percent-encoded UTF-8');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      // Nothing is named that long (key ids, job ids): no such resource, found without a lookup.
      return problemOf(404, 'not-found', 'no such resource: a path segment is too long');
    default:
      return toProblem(err).problem;
  }
}

/**
 * fastify's `frameworkErrors`. The router calls it for a path it cannot
 * match (bad percent-encoding, a parameter over `maxParamLength`) with a
 * request that skipped every hook; fastify's default answer is plain JSON
 * echoing the raw path, with no request id, no IP block and no audit row.
 * The request is routed again on REFUSED_PATH instead, so it gets all of
 * them and the not-found handler answers with `routerProblem` (an IP block
 * still comes first).
 */
export function routerRefusalHandler(
  app: () => FastifyInstance,
): NonNullable<FastifyServerOptions['frameworkErrors']> {
  return (err, request, reply) => {
    const raw = request.raw;
    // A refusal of the re-routed request itself cannot happen (the path is
    // plain ASCII); if it did, answer directly rather than loop.
    const earlier = routerRefusals.get(raw);
    if (earlier) return sendProblem(request, reply, earlier);
    routerRefusals.set(raw, routerProblem(err));
    raw.url = REFUSED_PATH;
    app().routing(raw, reply.raw);
  };
}

/** Problem details written by clientErrorHandler, per node error code. */
const CLIENT_ERRORS: Record<string, { status: number; detail: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    detail: 'the request line and headers are larger than the server accepts',
  },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, detail: 'the request did not arrive in time' },
};

/**
 * fastify's `clientErrorHandler`: what Node's HTTP parser refuses (a request
 * line or headers too large, a malformed request line) never becomes a
 * request, so no hook runs. The answer is still problem+json with a fresh
 * request id, which the log line (there is no audit row: there is no
 * request) carries too; the connection is closed, as the parser's state is
 * lost.
 */
export function clientErrorHandler(
  log: Logger,
): NonNullable<FastifyServerOptions['clientErrorHandler']> {
  return (err, socket: Socket) => {
    // A reset socket has nobody to answer.
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const known = err.code ? CLIENT_ERRORS[err.code] : undefined;
    const { status, detail } = known ?? {
      status: 400,
      detail: 'the request is not valid HTTP/1.1',
    };
    const id = randomUUID();
    log.info(
      { requestId: id, err: { code: err.code, message: err.message }, status },
      'client error',
    );
    if (!socket.writable) return;
    const body = JSON.stringify({
      type: 'about:blank',
      title: statusTitle(status),
      status,
      detail,
      instance: id,
    } satisfies ProblemBody);
    socket.end(
      [
        `HTTP/1.1 ${status} ${statusTitle(status)}`,
        `Content-Type: ${PROBLEM_MEDIA_TYPE}; charset=utf-8`,
        `Content-Length: ${Buffer.byteLength(body)}`,
        `X-Request-Id: ${id}`,
        'Connection: close',
        '',
        body,
      ].join('\r\n'),
    );
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
    app.setNotFoundHandler((request, reply) => {
      const refusal = routerRefusals.get(request.raw);
      if (refusal) return sendProblem(request, reply, refusal);
      return sendProblem(
        request,
        reply,
        problemOf(
          404,
          'not-found',
          `no route for ${request.method} ${sanitizeForLog(request.url.split('?')[0] ?? '')}`,
        ),
      );
    });
  },
  { name: 'mailvet-problem-json', fastify: '5.x' },
);
