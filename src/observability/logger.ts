import { createHash } from 'node:crypto';
import pino from 'pino';
import type { Logger, LoggerOptions, DestinationStream } from 'pino';

/** Headers whose values are credentials; pino replaces them before a line is written. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
] as const;

/** Longest string a log field may carry; longer input is cut (log lines stay bounded). */
export const MAX_LOG_FIELD_LENGTH = 256;

const EMAIL_LIKE = /[^\s@<>"'(),;:]+@[^\s@<>"'(),;:]+/g;

/**
 * Mask an address for humans: first character of the local part, then `***`,
 * then the domain (`j***@example.com`). Anything that is not an address is
 * hashed instead, so no request input reaches a log line verbatim.
 */
export function maskEmail(value: string): string {
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) return hashValue(value);
  const domain = value.slice(at + 1).toLowerCase();
  if (!/^[a-z0-9.-]{1,253}$/.test(domain)) return hashValue(value);
  // Only a plain first character is shown: anything else (a control, a bidi
  // override, half a surrogate pair) could alter the line it lands in.
  if (!/^[A-Za-z0-9]/.test(value)) return hashValue(value);
  return `${value[0]}***@${domain}`;
}

/**
 * A short stable digest (`sha256:` + 16 hex chars) so the same address can be
 * correlated across log lines and audit rows without being readable.
 */
export function hashValue(value: string): string {
  return `sha256:${createHash('sha256').update(value).digest('hex').slice(0, 16)}`;
}

/**
 * Make an arbitrary request-derived string safe for a log line: addresses are
 * masked, control characters escaped, length bounded.
 */
export function sanitizeForLog(value: string): string {
  const cut =
    value.length > MAX_LOG_FIELD_LENGTH ? value.slice(0, MAX_LOG_FIELD_LENGTH) + '…' : value;
  return cut
    .replace(EMAIL_LIKE, (m) => maskEmail(m))
    .replace(
      // Controls, line/paragraph separators, bidi controls and BOM: each
      // could split or visually reorder a line in a terminal or log viewer.
      /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
}

interface RequestLike {
  id?: unknown;
  method?: string;
  url?: string;
  routeOptions?: { url?: string };
}

/** Log output is written once this many bytes are buffered (a syscall per ~10 lines, not per line). */
export const LOG_BUFFER_BYTES = 4096;
/** Longest a buffered log line waits before it is written anyway (quiet periods). */
export const LOG_FLUSH_INTERVAL_MS = 250;

/**
 * Where service logs go by default: an asynchronous, buffered pino destination
 * (stdout unless told otherwise). One write per LOG_BUFFER_BYTES instead of a
 * synchronous write per line keeps the per-request audit line cheap; lines
 * wait at most LOG_FLUSH_INTERVAL_MS, and pino flushes the buffer
 * synchronously when the process exits (not on SIGKILL).
 */
export function bufferedDestination(dest: string | number = 1): DestinationStream {
  return pino.destination({
    dest,
    sync: false,
    minLength: LOG_BUFFER_BYTES,
    periodicFlush: LOG_FLUSH_INTERVAL_MS,
  });
}

/** Options for {@link createLogger}. */
export interface LoggerSettings {
  /** pino level name (`info`, `debug`, `silent`, …). */
  level: string;
  /** Where lines go; default bufferedDestination() on stdout. Tests pass a stream to capture lines. */
  destination?: DestinationStream;
}

/**
 * The service logger. The query string is never logged (it may hold an
 * address, `GET /v1/verify?email=`), credentials are redacted, and the `err`
 * serializer keeps only code and a sanitised message.
 */
export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    serializers: {
      req: (req: RequestLike) => ({
        id: req.id,
        method: req.method,
        // Route pattern, never the raw URL: paths and queries can carry addresses.
        route: req.routeOptions?.url ?? sanitizeForLog((req.url ?? '').split('?')[0] ?? ''),
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      err: (err: { code?: unknown; message?: unknown; statusCode?: unknown; stack?: unknown }) => ({
        code: typeof err.code === 'string' ? err.code : undefined,
        statusCode: typeof err.statusCode === 'number' ? err.statusCode : undefined,
        message: sanitizeForLog(String(err.message ?? '')),
        stack:
          typeof err.stack === 'string'
            ? sanitizeForLog(err.stack.split('\n').slice(0, 6).join('\n'))
            : undefined,
      }),
    },
  };
  return pino(options, settings.destination ?? bufferedDestination());
}
