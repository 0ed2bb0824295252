import { Type } from 'typebox';
import { problemRef } from './result-schema.js';

/** Longest address accepted over HTTP: 64 (local) + 1 + 255 (domain). Finer limits are the parser's. */
export const MAX_EMAIL_LENGTH = 320;
/** Addresses per batch request. */
export const MAX_BATCH_SIZE = 100;

/**
 * Characters no text input may hold, as a regex character-class body: C0
 * and C1 controls, DEL, line and paragraph separators, bidi controls and the
 * BOM. They smuggle SMTP commands, split log lines or reorder what a reader
 * of an audit row sees; no address needs them (the parser refuses them too).
 */
export const UNSAFE_TEXT_CHARS =
  '\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069\\ufeff';

/** An address as input: bounded, none of UNSAFE_TEXT_CHARS. */
export const EmailInput = Type.String({
  minLength: 1,
  maxLength: MAX_EMAIL_LENGTH,
  pattern: `^[^${UNSAFE_TEXT_CHARS}]+$`,
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
