import { Type } from 'typebox';
import { API_KEY_SCOPES } from '../keys/api-key-scope.js';

const NullableDate = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);
export const ScopeSchema = Type.Union(API_KEY_SCOPES.map((s) => Type.Literal(s)));
export const RatePolicySchema = Type.Object(
  { limit: Type.Integer({ minimum: 1 }), windowSeconds: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);

/** An API key as listed: never the secret, never its hash. */
export const ApiKeyRecordSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  tenant: Type.String(),
  prefix: Type.String({ description: 'non-secret start of the key, for recognising it' }),
  scopes: Type.Array(ScopeSchema),
  rate: Type.Union([RatePolicySchema, Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: NullableDate,
  revokedAt: NullableDate,
  rotatedAt: NullableDate,
  previousExpiresAt: NullableDate,
  lastUsedAt: NullableDate,
});

/** A key with its secret: returned once, by create and rotate. */
export const CreatedKeySchema = Type.Object({
  id: Type.String(),
  key: Type.String({ description: 'the secret; shown only in this response' }),
  record: ApiKeyRecordSchema,
});

/** Longest grace period a rotation may give the old secret: 30 days. */
export const MAX_ROTATION_GRACE_SECONDS = 30 * 86_400;

export const CreateKeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[^\\u0000-\\u001f\\u007f]+$' }),
    scopes: Type.Array(ScopeSchema, {
      minItems: 1,
      maxItems: API_KEY_SCOPES.length,
      uniqueItems: true,
    }),
    rate: Type.Optional(
      Type.Union([
        Type.String({ maxLength: 32, description: "e.g. '600/min', '10/s'" }),
        RatePolicySchema,
      ]),
    ),
    expiresIn: Type.Optional(
      Type.String({ maxLength: 16, description: "relative expiry, e.g. '30d', '12h'" }),
    ),
    expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
    tenant: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._:-]+$' }),
    ),
  },
  { additionalProperties: false },
);

export const RotateKeyBody = Type.Object(
  {
    graceSeconds: Type.Integer({
      minimum: 0,
      maximum: MAX_ROTATION_GRACE_SECONDS,
      description: '0 = old secret invalid now',
    }),
  },
  { additionalProperties: false },
);

export const KeyIdParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) },
  { additionalProperties: false },
);
