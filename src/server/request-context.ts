import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';
import { hashValue } from '../observability/logger.js';
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
 * and `ip:port` / `[ipv6]:port` (as some proxies write X-Forwarded-For) loses
 * its port, so blocks and audit rows name one address one way. A value that
 * is still no IP (a forwarded header the proxy passed through unchecked)
 * becomes `invalid:` + a digest: it cannot match a block, and its text never
 * reaches an audit row or a log line.
 */
export function clientIp(request: FastifyRequest): string {
  let ip = (request.ip ?? '').trim();
  const bracketed = /^\[([0-9A-Fa-f:.]+)\](?::\d{1,5})?$/.exec(ip);
  if (bracketed) ip = bracketed[1]!;
  else {
    const v4port = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(ip);
    if (v4port) ip = v4port[1]!;
  }
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1]!;
  return isIP(ip) === 0 ? `invalid:${hashValue(ip).slice('sha256:'.length)}` : ip.toLowerCase();
}
