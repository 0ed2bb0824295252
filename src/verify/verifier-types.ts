import type { VerificationResult } from './result.js';

/** Per-call options; anything unset falls back to the verifier's options. */
export interface VerifyOptions {
  /** Probe SMTP (default: the verifier's setting). */
  smtp?: boolean;
}

/** Options of `verifyMany`. */
export interface VerifyManyOptions extends VerifyOptions {
  /**
   * Stop early (a worker shutting down). When it fires, no new address is
   * started and the iteration ends promptly, without waiting for the
   * verifications in flight: every address not yielded by then was not
   * verified and gets no result (its work is abandoned and its answer
   * dropped). Results yielded before are complete.
   */
  signal?: AbortSignal;
}

/** Options of `close`. */
export interface CloseOptions {
  /**
   * Stop waiting for in-flight work when this fires: open SMTP connections
   * (and connection attempts) are cut, so whatever still runs ends at once
   * as `unknown` and close resolves promptly. Without it, or until it fires,
   * close lets in-flight work finish. Pass an aborted signal to cut at once
   * (nobody wants the answers any more, e.g. a worker that released them).
   */
  signal?: AbortSignal;
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
    options?: VerifyManyOptions,
  ): AsyncIterable<{ index: number; result: VerificationResult }>;
  /** Close pools and resolvers; in-flight work finishes first (see CloseOptions.signal). */
  close(options?: CloseOptions): Promise<void>;
}
