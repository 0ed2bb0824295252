import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { MailvetMetrics } from '../../observability/metrics.js';

/** Route label for requests that matched no route, so random URLs cannot grow label sets. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * HTTP RED metrics for every route (fastify-plugin lifts the hook to the
 * root). Labelled by route pattern, method and status code only.
 */
export const httpMetricsPlugin = fp(
  async (app: FastifyInstance, options: { metrics: MailvetMetrics }) => {
    const { httpRequests, httpDuration } = options.metrics;
    app.addHook('onResponse', (request, reply, done) => {
      const labels = {
        route: request.routeOptions.url ?? UNMATCHED_ROUTE,
        method: request.method,
        code: String(reply.statusCode),
      };
      httpRequests.inc(labels);
      httpDuration.observe(labels, reply.elapsedTime / 1000);
      done();
    });
  },
  { name: 'mailvet-http-metrics', fastify: '5.x' },
);
