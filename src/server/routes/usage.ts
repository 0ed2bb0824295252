import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { UsageRepo } from '../../store/usage-repo.js';
import type { UsageRecorder } from '../usage-recorder.js';
import { API_KEY_SECURITY, AUTHED_ERRORS } from '../schemas/common-schemas.js';

const Day = Type.String({
  pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$',
  description: 'YYYY-MM-DD (UTC), inclusive',
});
const UsageQuery = Type.Object(
  { from: Type.Optional(Day), to: Type.Optional(Day) },
  { additionalProperties: false },
);
const UsageReply = Type.Object({
  keyId: Type.String(),
  days: Type.Array(
    Type.Object({
      day: Type.String(),
      total: Type.Integer(),
      byStatus: Type.Record(Type.String(), Type.Integer()),
    }),
  ),
});

/** GET /v1/usage — the calling key's verifications per UTC day and result status. */
export async function usageRoutes(
  app: FastifyInstance,
  options: { repo: UsageRepo; recorder: UsageRecorder },
): Promise<void> {
  app.get<{ Querystring: Static<typeof UsageQuery> }>(
    '/v1/usage',
    {
      // Any valid key may read its own usage, so no scope is required.
      config: { action: 'usage.read' },
      schema: {
        tags: ['usage'],
        security: API_KEY_SECURITY,
        summary: "The calling key's usage",
        querystring: UsageQuery,
        response: { 200: UsageReply, ...AUTHED_ERRORS },
      },
    },
    async (request) => {
      const keyId = request.apiKey!.id;
      await options.recorder.flush();
      const rows = await options.repo.listByKey(keyId, {
        fromDay: request.query.from,
        toDay: request.query.to,
      });
      const days = new Map<
        string,
        { day: string; total: number; byStatus: Record<string, number> }
      >();
      for (const r of rows) {
        let d = days.get(r.day);
        if (!d) days.set(r.day, (d = { day: r.day, total: 0, byStatus: {} }));
        d.byStatus[r.status] = (d.byStatus[r.status] ?? 0) + r.count;
        d.total += r.count;
      }
      return { keyId, days: [...days.values()] };
    },
  );
}
