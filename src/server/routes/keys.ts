import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { KeyService } from '../keys/key-service.js';
import { ApiProblem } from '../api-problem.js';
import { API_KEY_SECURITY, AUTHED_ERRORS } from '../schemas/common-schemas.js';
import { problemRef } from '../schemas/result-schema.js';
import {
  ApiKeyRecordSchema,
  CreatedKeySchema,
  CreateKeyBody,
  KeyIdParams,
  RotateKeyBody,
} from '../schemas/key-schemas.js';

const NOT_FOUND = {
  404: problemRef('no such key (or already revoked, for rotate)'),
};

/** Key management over HTTP — scope `admin`. Same service as `mailvet keys`. */
export async function keyRoutes(
  app: FastifyInstance,
  options: { keyService: KeyService },
): Promise<void> {
  const { keyService } = options;
  const common = { tags: ['keys'], security: API_KEY_SECURITY };

  app.get(
    '/v1/keys',
    {
      config: { scope: 'admin', action: 'keys.list' },
      schema: {
        ...common,
        summary: 'List API keys',
        response: { 200: Type.Object({ keys: Type.Array(ApiKeyRecordSchema) }), ...AUTHED_ERRORS },
      },
    },
    async () => ({ keys: await keyService.list() }),
  );

  app.post<{ Body: Static<typeof CreateKeyBody> }>(
    '/v1/keys',
    {
      config: { scope: 'admin', action: 'keys.create' },
      schema: {
        ...common,
        summary: 'Create a key (the secret is in this response only)',
        body: CreateKeyBody,
        response: { 201: CreatedKeySchema, ...AUTHED_ERRORS },
      },
    },
    async (request, reply) => {
      const created = await keyService.create(request.body);
      request.auditObject = created.id;
      return reply.code(201).send(created);
    },
  );

  app.post<{ Params: Static<typeof KeyIdParams>; Body: Static<typeof RotateKeyBody> }>(
    '/v1/keys/:id/rotate',
    {
      config: { scope: 'admin', action: 'keys.rotate' },
      schema: {
        ...common,
        summary: 'Issue a new secret; the old one works for graceSeconds more',
        params: KeyIdParams,
        body: RotateKeyBody,
        response: { 200: CreatedKeySchema, ...AUTHED_ERRORS, ...NOT_FOUND },
      },
    },
    async (request) => {
      request.auditObject = request.params.id;
      const rotated = await keyService.rotate(request.params.id, {
        graceSeconds: request.body.graceSeconds,
      });
      if (!rotated) throw new ApiProblem(404, 'not-found', 'no active key with that id');
      return rotated;
    },
  );

  app.delete<{ Params: Static<typeof KeyIdParams> }>(
    '/v1/keys/:id',
    {
      config: { scope: 'admin', action: 'keys.revoke' },
      schema: {
        ...common,
        summary: 'Revoke a key (idempotent)',
        params: KeyIdParams,
        response: { 200: Type.Object({ key: ApiKeyRecordSchema }), ...AUTHED_ERRORS, ...NOT_FOUND },
      },
    },
    async (request) => {
      request.auditObject = request.params.id;
      const revoked = await keyService.revoke(request.params.id);
      if (!revoked) throw new ApiProblem(404, 'not-found', 'no key with that id');
      return { key: revoked };
    },
  );
}
