import type { VerificationResult } from './result.js';

/** Per-call options; anything unset falls back to the verifier's options. */
export interface VerifyOptions {
  /** Probe SMTP (default: the verifier's setting). */
  smtp?: boolean;
}

/** The engine's public face: one per process, shared by CLI, HTTP and workers. */
export interface Verifier {
  /** Verify one address. Never throws for bad input: a bad address is a result. */
  verify(email: string, options?: VerifyOptions): Promise<VerificationResult>;
  /**
   * Verify many addresses through the shared pools; results are yielded as
   * they finish (not in input order), each tagged with its input index.
   */
  verifyMany(
    emails: Iterable<string> | AsyncIterable<string>,
    options?: VerifyOptions,
  ): AsyncIterable<{ index: number; result: VerificationResult }>;
  /** Close pools and resolvers; in-flight work finishes first. */
  close(): Promise<void>;
}
