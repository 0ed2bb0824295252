import { Type, type Static } from 'typebox';
import { REASONS, STATUSES } from '../../verify/result.js';

const NullableString = Type.Union([Type.String(), Type.Null()]);

/** The verification result contract (design.md §3) as a response schema. */
export const VerificationResultSchema = Type.Object(
  {
    email: Type.String(),
    normalized: NullableString,
    status: Type.Union(STATUSES.map((s) => Type.Literal(s))),
    reason: Type.Union(REASONS.map((r) => Type.Literal(r))),
    flags: Type.Object({
      disposable: Type.Boolean(),
      role: Type.Boolean(),
      free: Type.Boolean(),
      catchAll: Type.Boolean(),
      relay: Type.Optional(Type.Boolean()),
    }),
    suggestion: NullableString,
    provider: NullableString,
    score: Type.Optional(Type.Number()),
    syntax: Type.Object({
      valid: Type.Boolean(),
      localPart: NullableString,
      domain: NullableString,
      asciiDomain: NullableString,
      smtputf8: Type.Boolean(),
      canonical: NullableString,
      error: Type.Optional(Type.String()),
    }),
    dns: Type.Object({
      mx: Type.Array(Type.Object({ exchange: Type.String(), preference: Type.Integer() })),
      implicitMx: Type.Boolean(),
      nullMx: Type.Boolean(),
    }),
    smtp: Type.Object({
      checked: Type.Boolean(),
      mxHost: NullableString,
      code: Type.Union([Type.Integer(), Type.Null()]),
      enhancedCode: NullableString,
      message: NullableString,
      tls: Type.Boolean(),
      attempts: Type.Integer(),
    }),
    retryable: Type.Boolean(),
    retryAfterSeconds: Type.Optional(Type.Number()),
    checkedAt: Type.String({ format: 'date-time' }),
    durationMs: Type.Number(),
    cached: Type.Optional(
      Type.Boolean({ description: 'true when answered from the result cache' }),
    ),
  },
  { $id: 'VerificationResult', description: 'One verification (see docs/verdicts.md).' },
);

/** RFC 9457 problem details. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.String({ description: 'the request id (also in X-Request-Id)' }),
    errors: Type.Optional(
      Type.Array(Type.Object({ location: Type.String(), message: Type.String() })),
    ),
  },
  { description: 'RFC 9457 problem details (application/problem+json).' },
);

/**
 * The problem schema as registered with app.addSchema (`Problem#`). Kept apart
 * from ProblemSchema so routes that spread ProblemSchema inline do not
 * declare a second schema with the same $id.
 */
export const SharedProblemSchema = { $id: 'Problem', ...ProblemSchema };

/** References to the shared schemas above (registered once with app.addSchema). */
export const VerificationResultRef = Type.Unsafe<Static<typeof VerificationResultSchema>>({
  $ref: 'VerificationResult#',
});
/** A problem response with its own description, for the OpenAPI document. */
export function problemRef(description: string) {
  return Type.Unsafe<Static<typeof ProblemSchema>>({ $ref: 'Problem#', description });
}
