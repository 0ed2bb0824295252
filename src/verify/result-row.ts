import type { VerificationResult } from './result.js';

/**
 * The result columns appended to a CSV row (CLI bulk, job exports). Flat,
 * prefixed with `mv_` so they never collide with a list's own columns.
 */
export const RESULT_COLUMNS = [
  'mv_status',
  'mv_reason',
  'mv_normalized',
  'mv_suggestion',
  'mv_flags',
  'mv_provider',
  'mv_mx',
  'mv_smtp_code',
  'mv_smtp_enhanced_code',
  'mv_retryable',
  'mv_retry_after_seconds',
  'mv_score',
  'mv_checked_at',
] as const;

/** Names of the flags that are set (`disposable`, `role`, …), in contract order. */
export function flagNames(r: VerificationResult): string[] {
  return (Object.keys(r.flags) as (keyof typeof r.flags)[]).filter((k) => r.flags[k]);
}

export function resultRow(r: VerificationResult): string[] {
  const flags = flagNames(r).join('|');
  return [
    r.status,
    r.reason,
    r.normalized ?? '',
    r.suggestion ?? '',
    flags,
    r.provider ?? '',
    r.smtp.mxHost ?? r.dns.mx[0]?.exchange ?? '',
    r.smtp.code === null ? '' : String(r.smtp.code),
    r.smtp.enhancedCode ?? '',
    String(r.retryable),
    r.retryAfterSeconds === undefined ? '' : String(r.retryAfterSeconds),
    r.score === undefined ? '' : String(r.score),
    r.checkedAt,
  ];
}
