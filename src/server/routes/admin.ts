import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { Store } from '../../store/store.js';
import { MAX_AUDIT_PAGE } from '../../store/audit-repo.js';
import type { IpBlock } from '../../store/ip-block-repo.js';
import type { IpBlocker } from '../ip-blocker.js';
import { normalizeCidr } from '../cidr.js';
import { ApiProblem } from '../api-problem.js';
import { API_KEY_SECURITY, AUTHED_ERRORS, UNSAFE_TEXT_CHARS } from '../schemas/common-schemas.js';
import { problemRef } from '../schemas/result-schema.js';

/** Longest admin block: one year. Permanent blocks leave `expiresInSeconds` out. */
export const MAX_BLOCK_SECONDS = 365 * 86_400;

const IsoDate = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);
const IpBlockSchema = Type.Object({
  cidr: Type.String(),
  reason: Type.Union([Type.String(), Type.Null()]),
  createdAt: IsoDate,
  expiresAt: IsoDate,
  source: Type.Union([Type.Literal('static'), Type.Literal('admin'), Type.Literal('auto')]),
});
const Cidr = Type.String({
  minLength: 2,
  maxLength: 64,
  pattern: '^[0-9A-Fa-f:./]+$',
  description: 'IPv4/IPv6 address or CIDR',
});
const AddBlockBody = Type.Object(
  {
    cidr: Cidr,
    reason: Type.Optional(Type.String({ maxLength: 200, pattern: `^[^${UNSAFE_TEXT_CHARS}]*$` })),
    expiresInSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_BLOCK_SECONDS })),
  },
  { additionalProperties: false },
);
const CidrQuery = Type.Object({ cidr: Cidr }, { additionalProperties: false });
const AuditQuery = Type.Object(
  {
    key: Type.Optional(Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' })),
    route: Type.Optional(
      Type.String({
        maxLength: 200,
        pattern: '^(/[A-Za-z0-9/:_.{}-]*|mailvet [a-z -]+)$',
        description: 'route pattern, e.g. /v1/verify, or a CLI command, e.g. mailvet keys create',
      }),
    ),
    status: Type.Optional(Type.String({ pattern: '^[1-5][0-9]{2}$' })),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'inclusive' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'exclusive' })),
    limit: Type.Optional(
      Type.String({ pattern: '^[0-9]{1,4}$', description: `1..${MAX_AUDIT_PAGE}` }),
    ),
    cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
  },
  { additionalProperties: false },
);
const AuditEntrySchema = Type.Object({
  id: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  requestId: Type.Union([Type.String(), Type.Null()]),
  keyId: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  method: Type.Union([Type.String(), Type.Null()]),
  route: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union([Type.Integer(), Type.Null()]),
  latencyMs: Type.Union([Type.Number(), Type.Null()]),
  action: Type.Union([Type.String(), Type.Null()]),
  object: Type.Union([Type.String(), Type.Null()]),
});

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const blockOut = (b: IpBlock) => ({
  ...b,
  createdAt: b.source === 'static' ? null : iso(b.createdAt),
  expiresAt: iso(b.expiresAt),
});

/** IP blocks and the audit log — scope `admin`. */
export async function adminRoutes(
  app: FastifyInstance,
  options: { store: Store; blocker: IpBlocker; now?: () => number },
): Promise<void> {
  const { store, blocker } = options;
  const now = options.now ?? Date.now;
  const common = { tags: ['admin'], security: API_KEY_SECURITY };

  app.get(
    '/v1/admin/ip-blocks',
    {
      config: { scope: 'admin', action: 'ip-blocks.list' },
      schema: {
        ...common,
        summary: 'Blocks in force (static, admin, automatic)',
        response: { 200: Type.Object({ blocks: Type.Array(IpBlockSchema) }), ...AUTHED_ERRORS },
      },
    },
    async () => ({
      blocks: [...blocker.staticBlocks(), ...(await store.ipBlocks.active(now()))].map(blockOut),
    }),
  );

  app.post<{ Body: Static<typeof AddBlockBody> }>(
    '/v1/admin/ip-blocks',
    {
      config: { scope: 'admin', action: 'ip-blocks.add' },
      schema: {
        ...common,
        summary: 'Block an IP or CIDR',
        body: AddBlockBody,
        response: { 201: IpBlockSchema, ...AUTHED_ERRORS },
      },
    },
    async (request, reply) => {
      const { cidr } = normalizeCidr(request.body.cidr);
      const at = now();
      const seconds = request.body.expiresInSeconds;
      const block: IpBlock = {
        cidr,
        reason: request.body.reason ?? null,
        createdAt: at,
        expiresAt: seconds === undefined ? null : at + seconds * 1000,
        source: 'admin',
      };
      request.auditObject = cidr;
      await store.ipBlocks.add(block);
      await blocker.refresh();
      return reply.code(201).send(blockOut(block));
    },
  );

  app.delete<{ Querystring: Static<typeof CidrQuery> }>(
    '/v1/admin/ip-blocks',
    {
      config: { scope: 'admin', action: 'ip-blocks.remove' },
      schema: {
        ...common,
        summary: 'Remove a stored block (?cidr=)',
        querystring: CidrQuery,
        response: {
          204: Type.Null(),
          ...AUTHED_ERRORS,
          404: problemRef('no stored block for that CIDR'),
        },
      },
    },
    async (request, reply) => {
      const { cidr } = normalizeCidr(request.query.cidr);
      request.auditObject = cidr;
      // Rows are matched by the network they mean, not their text: a row
      // written before CIDRs were made canonical may spell it differently.
      let removed = false;
      for (const block of await store.ipBlocks.list()) {
        if (sameNetwork(block.cidr, cidr) && (await store.ipBlocks.remove(block.cidr)))
          removed = true;
      }
      if (!removed) {
        throw new ApiProblem(
          404,
          'not-found',
          'no stored block for that CIDR (static blocks live in the configuration)',
        );
      }
      await blocker.refresh();
      return reply.code(204).send();
    },
  );

  app.get<{ Querystring: Static<typeof AuditQuery> }>(
    '/v1/admin/audit',
    {
      config: { scope: 'admin', action: 'audit.query' },
      schema: {
        ...common,
        summary: 'Audit log, newest first; filters combine with AND',
        querystring: AuditQuery,
        response: {
          200: Type.Object({
            entries: Type.Array(AuditEntrySchema),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...AUTHED_ERRORS,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = q.limit === undefined ? undefined : Number(q.limit);
      if (limit !== undefined && (limit < 1 || limit > MAX_AUDIT_PAGE)) {
        throw new ApiProblem(400, 'invalid-request', `limit must be 1..${MAX_AUDIT_PAGE}`);
      }
      await app.flushAudit();
      const page = await store.audit.query({
        keyId: q.key,
        route: q.route,
        status: q.status === undefined ? undefined : Number(q.status),
        from: q.from === undefined ? undefined : instant('from', q.from),
        to: q.to === undefined ? undefined : instant('to', q.to),
        limit,
        cursor: q.cursor,
      });
      return {
        entries: page.entries.map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
        nextCursor: page.nextCursor,
      };
    },
  );
}

function sameNetwork(stored: string, canonical: string): boolean {
  try {
    return normalizeCidr(stored).cidr === canonical;
  } catch {
    return false; // a hand-written row that is no CIDR at all
  }
}

/**
 * Epoch ms of an RFC 3339 time from the query. The schema's `date-time`
 * admits a leap second (`23:59:60`), which Date.parse cannot read: it is the
 * instant after :59, as POSIX time counts it.
 */
function instant(name: string, text: string): number {
  const leap = /:60(?=(\.\d+)?(Z|[+-]\d{2}:\d{2})$)/i;
  const ms = leap.test(text) ? Date.parse(text.replace(leap, ':59')) + 1000 : Date.parse(text);
  if (!Number.isFinite(ms))
    throw new ApiProblem(400, 'invalid-request', `${name} is not a valid time`);
  return ms;
}
