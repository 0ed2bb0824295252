import { STATUS_CODES } from 'node:http';
import { MailvetError } from '../errors.js';

/**
 * Problem types mailvet answers with (RFC 9457 `type`). Each slug is stable and
 * documented in docs/api.md; plain HTTP failures without extra meaning use
 * `about:blank` as the RFC recommends.
 */
export const PROBLEM_TYPES = {
  'invalid-request': 'Request does not match the schema',
  'invalid-json': 'Request body is not valid JSON',
  'unsupported-media-type': 'Unsupported media type',
  'payload-too-large': 'Request body too large',
  unauthenticated: 'Authentication required',
  'invalid-credentials': 'API key not accepted',
  'insufficient-scope': 'API key lacks the required scope',
  'ip-blocked': 'Client address is blocked',
  'rate-limited': 'Rate limit exceeded',
  'not-found': 'Resource not found',
  'service-unavailable': 'Service unavailable',
  'internal-error': 'Internal server error',
} as const;

export type ProblemSlug = keyof typeof PROBLEM_TYPES;

/** Prefix of every mailvet problem type URI. */
export const PROBLEM_TYPE_BASE = 'urn:mailvet:problem:';

/** The `type` URI for a slug. */
export function problemType(slug: ProblemSlug): string {
  return PROBLEM_TYPE_BASE + slug;
}

/** One RFC 9457 problem details object as sent on the wire. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** The request id, so a client report can be matched to logs and audit rows. */
  instance: string;
  /** Schema violations, when the problem is `invalid-request`. */
  errors?: Array<{ location: string; message: string }>;
}

/**
 * An error the server answers with a problem+json response. The `code`
 * (`MV_ERR_HTTP_*`) is stable; `headers` are added to the response
 * (`Retry-After`, `WWW-Authenticate`).
 */
export class ApiProblem extends MailvetError {
  readonly slug: ProblemSlug;
  readonly headers: Readonly<Record<string, string>>;
  constructor(
    statusCode: number,
    slug: ProblemSlug,
    detail: string,
    headers: Record<string, string> = {},
  ) {
    super(`MV_ERR_HTTP_${slug.toUpperCase().replace(/-/g, '_')}`, detail, statusCode);
    this.name = 'ApiProblem';
    this.slug = slug;
    this.headers = headers;
  }
}

/** Title for a status without a mailvet-specific type. */
export function statusTitle(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}
