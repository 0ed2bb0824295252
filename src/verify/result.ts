/**
 * The result contract (design.md §3). Every verification — library, CLI, HTTP,
 * bulk job — returns exactly this shape. Field names are camelCase in JSON.
 */

export const STATUSES = ['deliverable', 'undeliverable', 'risky', 'unknown'] as const;
export type Status = (typeof STATUSES)[number];

/** Reasons grouped by the status they belong to; `classify` never mixes them. */
export const REASONS_BY_STATUS = {
  deliverable: ['accepted'],
  undeliverable: [
    'invalid_syntax',
    'no_such_domain',
    'no_mail_server',
    'null_mx',
    'unroutable_mx',
    'mailbox_not_found',
    'mailbox_disabled',
  ],
  risky: ['catch_all', 'disposable', 'role_account', 'mailbox_full', 'possible_typo'],
  unknown: [
    'greylisted',
    'timeout',
    'connection_failed',
    'smtp_temporary_error',
    'blocked',
    'dns_error',
    'provider_unverifiable',
    'mx_unavailable',
    'smtp_skipped',
  ],
} as const satisfies Record<Status, readonly string[]>;

export type Reason = (typeof REASONS_BY_STATUS)[Status][number];
export const REASONS: readonly Reason[] = Object.values(REASONS_BY_STATUS).flat();

export interface Flags {
  disposable: boolean;
  role: boolean;
  free: boolean;
  catchAll: boolean;
  /** Alias / forwarding relay services (duck.com, SimpleLogin, Apple private relay…). */
  relay?: boolean;
}

export interface SyntaxInfo {
  valid: boolean;
  localPart: string | null;
  /** Domain as written after normalisation (U-labels, lower case, NFC). */
  domain: string | null;
  /** Domain in A-label (punycode) form, what DNS and SMTP see. */
  asciiDomain: string | null;
  /** True when the envelope needs SMTPUTF8 (non-ASCII local part). */
  smtputf8: boolean;
  /** Provider-aware canonical form (Gmail dots, +tags). Advice only. */
  canonical: string | null;
  /** Machine-readable parse error code when invalid. */
  error?: string;
}

export interface MxInfo {
  exchange: string;
  preference: number;
}

export interface DnsInfo {
  mx: MxInfo[];
  implicitMx: boolean;
  nullMx: boolean;
}

export interface SmtpInfo {
  checked: boolean;
  mxHost: string | null;
  code: number | null;
  enhancedCode: string | null;
  message: string | null;
  tls: boolean;
  attempts: number;
}

export interface VerificationResult {
  email: string;
  normalized: string | null;
  status: Status;
  reason: Reason;
  flags: Flags;
  suggestion: string | null;
  provider: string | null;
  score?: number;
  syntax: SyntaxInfo;
  dns: DnsInfo;
  smtp: SmtpInfo;
  retryable: boolean;
  retryAfterSeconds?: number;
  /** ISO-8601 UTC time the verdict was reached. */
  checkedAt: string;
  durationMs: number;
  /** Set by result caches (service layer) when the answer was not computed now. */
  cached?: boolean;
}
