import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** Header carrying the request id, in and out. */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * An incoming id is kept only if it is short and made of safe characters, so
 * a caller's correlation id flows through but nothing hostile reaches logs,
 * audit rows or response headers.
 */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** fastify `genReqId`: the caller's sane `X-Request-Id`, else a fresh UUID. */
export function genRequestId(req: IncomingMessage): string {
  const incoming = req.headers[REQUEST_ID_HEADER];
  if (typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming)) return incoming;
  return randomUUID();
}

/**
 * Echo the request id on every response — successes, errors, 404s — via
 * onSend, which runs for all of them. Shared upward with fastify-plugin so it
 * covers every context.
 */
export const requestIdPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook('onSend', (request, reply, payload, done) => {
      reply.header(REQUEST_ID_HEADER, request.id);
      done(null, payload);
    });
  },
  { name: 'mailvet-request-id', fastify: '5.x' },
);
