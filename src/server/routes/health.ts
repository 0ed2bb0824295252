import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { runHealthChecks, type HealthCheck } from '../../observability/health.js';
import { problemOf, sendProblem } from '../plugins/problem-json.js';

const CheckSchema = Type.Object({
  name: Type.String(),
  ok: Type.Boolean(),
  error: Type.Optional(Type.String()),
});

/** Liveness and readiness probes; public (no key), for load balancers and Kubernetes. */
export async function healthRoutes(
  app: FastifyInstance,
  options: { checks: readonly HealthCheck[] },
): Promise<void> {
  app.get(
    '/health/live',
    {
      schema: {
        tags: ['health'],
        summary: 'The process answers',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/health/ready',
    {
      schema: {
        tags: ['health'],
        summary: 'Database reachable, migrations applied, Redis reachable (when configured)',
        response: {
          200: Type.Object({ status: Type.Literal('ok'), checks: Type.Array(CheckSchema) }),
        },
      },
    },
    async (request, reply) => {
      const report = await runHealthChecks(options.checks);
      if (report.ok) return { status: 'ok' as const, checks: report.checks };
      const failed = report.checks.filter((c) => !c.ok).map((c) => c.name);
      const problem = {
        ...problemOf(503, 'service-unavailable', `not ready: ${failed.join(', ')}`),
        checks: report.checks,
      };
      return sendProblem(request, reply, problem, { 'retry-after': '5' });
    },
  );
}
