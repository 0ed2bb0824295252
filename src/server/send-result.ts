import type { FastifyReply } from 'fastify';
import type { VerificationResult } from '../verify/result.js';

/** What fastify itself labels JSON replies with. */
const JSON_MEDIA_TYPE = 'application/json; charset=utf-8';

/** JSON text of results shared between requests (frozen cache entries); dies with them. */
const texts = new WeakMap<VerificationResult, string>();

/**
 * Reply with one verification result, serialised by the route's own 200
 * response schema (`reply.serialize`), so the output is exactly what
 * returning the object would give. A frozen result is a result-cache entry
 * that every hit shares and nobody can change, so its text is computed once
 * and reused: a cached answer costs a lookup instead of a serialisation.
 */
export function sendResult(reply: FastifyReply, result: VerificationResult): FastifyReply {
  let text = texts.get(result);
  if (text === undefined) {
    // A schema serializer always produces a string (only custom ones may not).
    text = String(reply.serialize(result));
    if (Object.isFrozen(result)) texts.set(result, text);
  }
  return reply.type(JSON_MEDIA_TYPE).send(text);
}
