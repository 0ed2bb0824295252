import type { SmtpOutcome } from '../../src/verify/smtp/smtp-verdict.js';

/** A verdict reduced to what every engine must agree on (and the world's ground truth). */
export interface BenchVerdict {
  /** An SmtpOutcome, or `error: …` when an engine failed outright. */
  outcome: string;
  catchAll: boolean | null;
}

/**
 * What the answer to a random local part says about catch-all — the same
 * reading as the prober's: accepted → true, a definitive "no such mailbox" →
 * false, anything else unknown.
 */
export function catchAllFrom(probe: SmtpOutcome): boolean | null {
  if (probe === 'accepted') return true;
  if (probe === 'mailbox_not_found' || probe === 'mailbox_disabled') return false;
  return null;
}

/** Indexes where two engines disagree on outcome or catch-all. */
export function differences(a: readonly BenchVerdict[], b: readonly BenchVerdict[]): number[] {
  const out: number[] = [];
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i]?.outcome !== b[i]?.outcome || a[i]?.catchAll !== b[i]?.catchAll) out.push(i);
  }
  return out;
}
