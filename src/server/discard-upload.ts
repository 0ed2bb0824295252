import { finished } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Most bytes of an unread upload read and thrown away before the connection is closed. */
export const DISCARD_MAX_BYTES = 16 * 1024 * 1024;
/** Longest time spent reading an unread upload before the connection is closed. */
export const DISCARD_MAX_MS = 10_000;

export interface DiscardLimits {
  maxBytes: number;
  maxMs: number;
}

/**
 * Read and throw away the rest of a request body that nobody will read: an
 * upload whose import failed (a limit, a bad header, a database error), one
 * replayed by its Idempotency-Key, the parts of a form after its file, a
 * request refused before its body was looked at. Call it when the answer is
 * about to be sent; whoever read the body must have let go of it first (an
 * import does, see csvRowChunks), or the body stays paused under its reader.
 *
 * Reading on is what lets the answer reach a client still sending: one that
 * reads only after it has sent everything (many do) would otherwise block on
 * a full socket until fastify's request timeout, and closing at once is no
 * better, as a close with unread bytes resets the connection, which may
 * destroy the answer in the client's buffers (RFC 9112 §9.6). When the body
 * ends within `maxBytes` and `maxMs` the connection stays open for the next
 * request. Past either bound the connection is closed once the answer is
 * written: a client still sending by then is not reading it, and reading a
 * 512 MiB upload for nothing is a cost an attacker could choose.
 */
export function discardUpload(
  request: IncomingMessage,
  response: ServerResponse,
  limits: DiscardLimits = { maxBytes: DISCARD_MAX_BYTES, maxMs: DISCARD_MAX_MS },
): void {
  if (request.readableEnded || request.destroyed) return;
  const socket = request.socket;
  let bytes = 0;
  const stop = () => {
    clearTimeout(timer);
    request.off('data', count);
    request.off('end', stop);
    request.off('close', stop);
  };
  const close = () => {
    stop();
    finished(response, () => socket.destroy());
  };
  const count = (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > limits.maxBytes) close();
  };
  const timer = setTimeout(close, limits.maxMs);
  timer.unref();
  // A reader still attached (the form parser of a multipart upload) lets go.
  request.unpipe();
  request.on('data', count);
  request.once('end', stop);
  request.once('close', stop);
  request.resume();
}
