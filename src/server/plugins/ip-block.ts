import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { IpBlocker } from '../ip-blocker.js';
import type { MailvetMetrics } from '../../observability/metrics.js';
import { ApiProblem } from '../api-problem.js';
import { clientIp } from '../request-context.js';

/**
 * Refuses blocked client IPs with 403 as the very first hook on every route,
 * before authentication, body parsing or any store access. The client IP is
 * fastify's `request.ip`, which honours `X-Forwarded-For` only from the hops
 * `server.trustProxy` names.
 */
export const ipBlockPlugin = fp(
  async (app: FastifyInstance, options: { blocker: IpBlocker; metrics: MailvetMetrics }) => {
    const { blocker, metrics } = options;
    app.addHook('onRequest', (request, _reply, done) => {
      const source = blocker.check(clientIp(request));
      if (source === null) return done();
      metrics.ipBlocks.inc({ source });
      done(new ApiProblem(403, 'ip-blocked', 'requests from this address are blocked'));
    });
    app.addHook('onClose', async () => blocker.stop());
  },
  { name: 'mailvet-ip-block', fastify: '5.x' },
);
