import type { FastifyRequest } from 'fastify';
import type { ApiKeyRecord } from './keys/key-service.js';
import type { ApiKeyScope } from './keys/api-key-scope.js';

/**
 * What mailvet adds to fastify's request and route config. Declared once here
 * so every plugin and route sees the same shape.
 */
declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated key; null on public routes and before auth ran. */
    apiKey: ApiKeyRecord | null;
    /** What the request acted on, already masked or hashed — for the audit row. */
    auditObject: string | null;
  }
  interface FastifyContextConfig {
    /** Scope a key needs for this route (authenticated routes only). */
    scope?: ApiKeyScope;
    /** Audit action name, e.g. `verify.single`, `keys.rotate`. */
    action?: string;
    /** Rate-limit cost of a request; default 1. A batch of n addresses costs n. */
    rateCost?: (request: FastifyRequest) => number;
  }
}

/**
 * The client address as one canonical string: IPv4-mapped IPv6
 * (`::ffff:192.0.2.1`, what a dual-stack socket reports) becomes plain IPv4,
 * so blocks and audit rows name one address one way.
 */
export function clientIp(request: FastifyRequest): string {
  const ip = request.ip ?? '';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  return mapped ? mapped[1] : ip.toLowerCase();
}
