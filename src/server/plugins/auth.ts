import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasScope, type KeyService } from '../keys/key-service.js';
import type { IpBlocker } from '../ip-blocker.js';
import type { MailvetMetrics } from '../../observability/metrics.js';
import { ApiProblem } from '../api-problem.js';
import { clientIp } from '../request-context.js';

/** Longest credential header we look at; real keys are far shorter. */
export const MAX_CREDENTIAL_LENGTH = 512;

export interface AuthPluginOptions {
  keyService: KeyService;
  blocker: IpBlocker;
  metrics: MailvetMetrics;
}

const CHALLENGE = { 'www-authenticate': 'Bearer realm="mailvet"' };

/** Credential from `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
export function extractCredential(
  request: FastifyRequest,
): { secret: string } | { error: 'missing' | 'malformed' } {
  const authorization = request.headers.authorization;
  const apiKey = request.headers['x-api-key'];
  if (authorization === undefined && apiKey === undefined) return { error: 'missing' };
  if (Array.isArray(apiKey)) return { error: 'malformed' };
  let secret: string | undefined;
  if (authorization !== undefined) {
    const m = /^Bearer +(\S+) *$/i.exec(authorization);
    if (!m) return { error: 'malformed' };
    secret = m[1];
  }
  if (apiKey !== undefined) {
    // Two different keys in one request is ambiguous: refuse instead of picking one.
    if (secret !== undefined && secret !== apiKey) return { error: 'malformed' };
    secret = apiKey.trim();
  }
  if (!secret || secret.length > MAX_CREDENTIAL_LENGTH) return { error: 'malformed' };
  return { secret };
}

/**
 * Authenticates every route in the context it is registered in (fastify-plugin
 * lifts its hook into that context, not above it), then checks the route's
 * `config.scope`. Authenticates at onRequest and checks the scope at
 * preParsing, so a caller without the right key never has its body read. Failures count towards the caller IP's automatic block.
 */
export const authPlugin = fp(
  async (app: FastifyInstance, options: AuthPluginOptions) => {
    const { keyService, blocker, metrics } = options;

    async function fail(request: FastifyRequest, reason: string, detail: string): Promise<never> {
      metrics.authFailures.inc({ reason });
      const blocked = await blocker.recordAuthFailure(clientIp(request));
      if (blocked) {
        request.log.warn({ reason: 'auth-failures' }, 'client IP blocked automatically');
      }
      throw new ApiProblem(
        401,
        reason === 'missing' ? 'unauthenticated' : 'invalid-credentials',
        detail,
        CHALLENGE,
      );
    }

    app.addHook('onRequest', async (request) => {
      const credential = extractCredential(request);
      if ('error' in credential) {
        return credential.error === 'missing'
          ? fail(
              request,
              'missing',
              'send an API key as "Authorization: Bearer <key>" or "X-API-Key: <key>"',
            )
          : fail(request, 'malformed', 'the credential header is malformed');
      }
      const result = await keyService.authenticate(credential.secret);
      if (!result.ok) {
        const detail =
          result.reason === 'revoked'
            ? 'the API key was revoked'
            : result.reason === 'expired'
              ? 'the API key has expired'
              : 'the API key is not valid';
        return fail(request, result.reason, detail);
      }
      request.apiKey = result.key;
    });

    // At preParsing, so the rate limit (onRequest, registered after this
    // plugin) has counted the request and set its headers first; still
    // before the body is read.
    app.addHook('preParsing', async (request) => {
      const scope = request.routeOptions.config.scope;
      if (scope !== undefined && request.apiKey && !hasScope(request.apiKey, scope)) {
        metrics.authFailures.inc({ reason: 'scope' });
        throw new ApiProblem(403, 'insufficient-scope', `this route needs the "${scope}" scope`);
      }
    });
  },
  { name: 'mailvet-auth', fastify: '5.x' },
);
