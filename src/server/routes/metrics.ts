import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { MailvetMetrics } from '../../observability/metrics.js';
import { ApiProblem } from '../api-problem.js';

function sameSecret(a: string, b: string): boolean {
  // Compare digests so length differences take the same time too.
  return timingSafeEqual(
    createHash('sha256').update(a).digest(),
    createHash('sha256').update(b).digest(),
  );
}

/** GET /metrics — Prometheus text; bearer-protected when `server.metricsToken` is set. */
export async function metricsRoutes(
  app: FastifyInstance,
  options: { metrics: MailvetMetrics; token: string | null },
): Promise<void> {
  const { metrics, token } = options;
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['health'],
        summary: 'Prometheus metrics',
        ...(token ? { security: [{ metricsToken: [] }] } : {}),
        response: { 200: Type.String({ description: 'Prometheus text exposition format' }) },
      },
    },
    async (request, reply) => {
      if (token !== null) {
        const m = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? '');
        if (!m || !sameSecret(m[1], token)) {
          throw new ApiProblem(
            401,
            'unauthenticated',
            'metrics need "Authorization: Bearer <metrics token>"',
            { 'www-authenticate': 'Bearer realm="metrics"' },
          );
        }
      }
      const text = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(text);
    },
  );
}
