import { Type } from 'typebox';
import { problemRef } from './result-schema.js';

/** Longest address accepted over HTTP: 64 (local) + 1 + 255 (domain). Finer limits are the parser's. */
export const MAX_EMAIL_LENGTH = 320;
/** Addresses per batch request. */
export const MAX_BATCH_SIZE = 100;

/** An address as input: bounded, no control characters (they could smuggle SMTP commands or log lines). */
export const EmailInput = Type.String({
  minLength: 1,
  maxLength: MAX_EMAIL_LENGTH,
  pattern: '^[^\\u0000-\\u001f\\u007f]+$',
  description: 'an email address',
});

/** Error responses shared by authenticated routes, for the OpenAPI document. */
export const AUTHED_ERRORS = {
  400: problemRef('invalid request (schema, JSON, size)'),
  401: problemRef('missing or invalid API key'),
  403: problemRef('insufficient scope, or client IP blocked'),
  429: problemRef('rate limit exceeded; see Retry-After'),
} as const;

/** Bearer and X-API-Key, either accepted (OpenAPI security requirement). */
export const API_KEY_SECURITY: Array<Record<string, string[]>> = [
  { bearerAuth: [] },
  { apiKeyHeader: [] },
];
