import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import { maskEmail } from '../../observability/logger.js';
import type { VerifyService } from '../verify-service.js';
import { sendResult } from '../send-result.js';
import { VerificationResultRef } from '../schemas/result-schema.js';
import {
  API_KEY_SECURITY,
  AUTHED_ERRORS,
  EmailInput,
  MAX_BATCH_SIZE,
} from '../schemas/common-schemas.js';

const VerifyOptionsSchema = Type.Object(
  {
    smtp: Type.Optional(
      Type.Boolean({ description: 'probe the mail server (default: server setting)' }),
    ),
  },
  { additionalProperties: false },
);

const VerifyBody = Type.Object(
  { email: EmailInput, options: Type.Optional(VerifyOptionsSchema) },
  { additionalProperties: false },
);
const VerifyQuery = Type.Object(
  {
    email: EmailInput,
    // Query strings are text and coercion is off: booleans are spelled out.
    smtp: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
  },
  { additionalProperties: false },
);
const BatchBody = Type.Object(
  {
    emails: Type.Array(EmailInput, { minItems: 1, maxItems: MAX_BATCH_SIZE }),
    options: Type.Optional(VerifyOptionsSchema),
  },
  { additionalProperties: false },
);
const BatchReply = Type.Object({ results: Type.Array(VerificationResultRef) });

/** POST /v1/verify, GET /v1/verify, POST /v1/verify/batch — scope `verify`. */
export async function verifyRoutes(
  app: FastifyInstance,
  options: { service: VerifyService },
): Promise<void> {
  const { service } = options;
  const common = { tags: ['verify'], security: API_KEY_SECURITY };

  app.post<{ Body: Static<typeof VerifyBody> }>(
    '/v1/verify',
    {
      config: { scope: 'verify', action: 'verify.single' },
      schema: {
        ...common,
        summary: 'Verify one address',
        body: VerifyBody,
        response: { 200: VerificationResultRef, ...AUTHED_ERRORS },
      },
    },
    async (request, reply) => {
      request.auditObject = maskEmail(request.body.email);
      const { email, options } = request.body;
      return sendResult(reply, await service.verifyOne(request.apiKey!.id, email, options?.smtp));
    },
  );

  app.get<{ Querystring: Static<typeof VerifyQuery> }>(
    '/v1/verify',
    {
      config: { scope: 'verify', action: 'verify.single' },
      schema: {
        ...common,
        summary: 'Verify one address (query string)',
        querystring: VerifyQuery,
        response: { 200: VerificationResultRef, ...AUTHED_ERRORS },
      },
    },
    async (request, reply) => {
      const { email, smtp } = request.query;
      request.auditObject = maskEmail(email);
      const useSmtp = smtp === undefined ? undefined : smtp === 'true';
      return sendResult(reply, await service.verifyOne(request.apiKey!.id, email, useSmtp));
    },
  );

  app.post<{ Body: Static<typeof BatchBody> }>(
    '/v1/verify/batch',
    {
      config: {
        scope: 'verify',
        action: 'verify.batch',
        rateCost: (request) => (request.body as Static<typeof BatchBody>).emails.length,
      },
      schema: {
        ...common,
        summary: `Verify up to ${MAX_BATCH_SIZE} addresses; costs one rate-limit point per address`,
        body: BatchBody,
        response: { 200: BatchReply, ...AUTHED_ERRORS },
      },
    },
    async (request) => {
      const { emails } = request.body;
      request.auditObject = `batch:${emails.length}`;
      return {
        results: await service.verifyBatch(request.apiKey!.id, emails, request.body.options?.smtp),
      };
    },
  );
}
