import { PACKAGE_VERSION as VERSION } from '../package-version.js';

/** The static part of the OpenAPI document; @fastify/swagger adds paths from route schemas. */
export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: {
      title: 'mailvet',
      version: VERSION,
      description:
        'Email verification service. Errors are RFC 9457 problem+json; authenticated responses carry RateLimit-Policy and RateLimit headers. See docs/api.md.',
    },
    tags: [
      { name: 'verify', description: 'Verify addresses (scope verify)' },
      { name: 'keys', description: 'API keys (scope admin)' },
      { name: 'admin', description: 'IP blocks and audit log (scope admin)' },
      { name: 'usage', description: "The calling key's usage" },
      { name: 'health', description: 'Probes and metrics (no key)' },
    ],
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http' as const,
          scheme: 'bearer',
          description: 'Authorization: Bearer mv_live_…',
        },
        apiKeyHeader: { type: 'apiKey' as const, in: 'header' as const, name: 'X-API-Key' },
        metricsToken: {
          type: 'http' as const,
          scheme: 'bearer',
          description: 'server.metricsToken, when set',
        },
      },
    },
  };
}
