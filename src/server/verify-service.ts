import type { FastifyBaseLogger } from 'fastify';
import type { Verifier } from '../verify/verifier-types.js';
import type { VerificationResult } from '../verify/result.js';
import type { ResultCache } from './result-cache.js';
import type { UsageRecorder } from './usage-recorder.js';
import type { MailvetMetrics } from '../observability/metrics.js';

export interface VerifyServiceOptions {
  verifier: Verifier;
  /** null = no result cache. */
  cache: ResultCache | null;
  usage: UsageRecorder;
  metrics: MailvetMetrics;
  /** What `smtp` means when a request leaves it out (the server's configured default). */
  smtpDefault: boolean;
  log: FastifyBaseLogger;
}

/**
 * What the verify routes call: result cache in front of the engine, usage
 * counted per key and status. A cache outage degrades to uncached answers.
 */
export class VerifyService {
  readonly #o: VerifyServiceOptions;

  constructor(options: VerifyServiceOptions) {
    this.#o = options;
  }

  async verifyOne(
    keyId: string,
    email: string,
    smtp: boolean | undefined,
  ): Promise<VerificationResult> {
    const useSmtp = smtp ?? this.#o.smtpDefault;
    const hit = await this.#cached(email, useSmtp);
    const result = hit ?? (await this.#o.verifier.verify(email, { smtp: useSmtp }));
    if (!hit) await this.#store(email, useSmtp, result);
    this.#o.usage.record(keyId, result.status);
    return result;
  }

  /** Results in input order; cache hits are answered without touching the engine. */
  async verifyBatch(
    keyId: string,
    emails: readonly string[],
    smtp: boolean | undefined,
  ): Promise<VerificationResult[]> {
    const useSmtp = smtp ?? this.#o.smtpDefault;
    const results: Array<VerificationResult | undefined> = await Promise.all(
      emails.map((e) => this.#cached(e, useSmtp)),
    );
    const missing: number[] = [];
    results.forEach((r, i) => {
      if (r === undefined) missing.push(i);
    });
    if (missing.length > 0) {
      const todo = missing.map((i) => emails[i]);
      for await (const { index, result } of this.#o.verifier.verifyMany(todo, { smtp: useSmtp })) {
        const at = missing[index];
        results[at] = result;
        await this.#store(emails[at], useSmtp, result);
      }
    }
    const done = results as VerificationResult[];
    for (const r of done) this.#o.usage.record(keyId, r.status);
    return done;
  }

  async #cached(email: string, smtp: boolean): Promise<VerificationResult | undefined> {
    const cache = this.#o.cache;
    if (!cache) return undefined;
    try {
      const hit = await cache.get(email, smtp);
      this.#o.metrics.resultCache.inc({ result: hit ? 'hit' : 'miss' });
      return hit;
    } catch (err) {
      this.#o.log.warn({ err }, 'result cache read failed');
      return undefined;
    }
  }

  async #store(email: string, smtp: boolean, result: VerificationResult): Promise<void> {
    try {
      await this.#o.cache?.set(email, smtp, result);
    } catch (err) {
      this.#o.log.warn({ err }, 'result cache write failed');
    }
  }
}
