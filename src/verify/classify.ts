import type { ListVerdict } from './lists/list-verdict.js';
import type { MailRoute } from './dns/mail-route.js';
import type { SmtpOutcome, SmtpVerdict } from './smtp/smtp-verdict.js';
import type { Reason, Status } from './result.js';

/** Which risky facts turn an otherwise good answer into `risky` (design.md §3). */
export interface RiskPolicy {
  disposableIsRisky: boolean;
  roleIsRisky: boolean;
  catchAllIsRisky: boolean;
  typoIsRisky: boolean;
  /** Only lowers `score`: the contract has no `free` reason. */
  freeIsRisky: boolean;
}

export const DEFAULT_RISK_POLICY: Readonly<RiskPolicy> = Object.freeze({
  disposableIsRisky: true,
  roleIsRisky: false,
  catchAllIsRisky: true,
  typoIsRisky: true,
  freeIsRisky: false,
});

/** Everything the checks found out about one address. */
export interface Evidence {
  syntaxValid: boolean;
  lists: ListVerdict | null;
  route: MailRoute | null;
  /** Null when SMTP was not attempted (disabled, or decided earlier). */
  smtp: SmtpVerdict | null;
}

export interface Verdict {
  status: Status;
  reason: Reason;
  retryable: boolean;
  retryAfterSeconds?: number;
  /** 0–100: how likely mail to this address is delivered and read. */
  score: number;
}

/** SMTP outcomes that prove the mailbox cannot receive mail. */
const UNDELIVERABLE_OUTCOMES: Partial<Record<SmtpOutcome, Reason>> = {
  mailbox_not_found: 'mailbox_not_found',
  mailbox_disabled: 'mailbox_disabled',
  unroutable_mx: 'unroutable_mx',
};

/** SMTP outcomes that say nothing about the mailbox; retrying may help. */
const UNKNOWN_OUTCOMES: Partial<Record<SmtpOutcome, { reason: Reason; retryable: boolean }>> = {
  greylisted: { reason: 'greylisted', retryable: true },
  timeout: { reason: 'timeout', retryable: true },
  connection_failed: { reason: 'connection_failed', retryable: true },
  temporary_error: { reason: 'smtp_temporary_error', retryable: true },
  // A policy block is about our IP or HELO, not the mailbox; it often lifts.
  blocked: { reason: 'blocked', retryable: true },
  mx_unavailable: { reason: 'mx_unavailable', retryable: true },
  provider_unverifiable: { reason: 'provider_unverifiable', retryable: false },
};

/** Baseline score per reason; flags adjust it a little. */
const SCORES: Record<Reason, number> = {
  accepted: 95,
  invalid_syntax: 0,
  no_such_domain: 0,
  no_mail_server: 0,
  null_mx: 0,
  unroutable_mx: 2,
  mailbox_not_found: 1,
  mailbox_disabled: 2,
  catch_all: 55,
  disposable: 10,
  role_account: 60,
  mailbox_full: 30,
  possible_typo: 20,
  greylisted: 50,
  timeout: 40,
  connection_failed: 35,
  smtp_temporary_error: 45,
  blocked: 45,
  dns_error: 35,
  provider_unverifiable: 60,
  mx_unavailable: 40,
  smtp_skipped: 50,
};

/**
 * Turn evidence into status + reason. The order of the checks is the policy:
 * definitive "undeliverable" evidence first (it outranks every risky flag),
 * then risky facts, then what SMTP proved or failed to prove. Nothing here
 * says `undeliverable` without definitive evidence (design.md §3).
 */
export function classify(e: Evidence, policy: RiskPolicy = DEFAULT_RISK_POLICY): Verdict {
  if (!e.syntaxValid) return verdict('undeliverable', 'invalid_syntax', e, policy);

  const route = e.route;
  if (route) {
    if (route.kind === 'nxdomain') return verdict('undeliverable', 'no_such_domain', e, policy);
    if (route.kind === 'null_mx') return verdict('undeliverable', 'null_mx', e, policy);
    if (route.kind === 'no_mail_server')
      return verdict('undeliverable', 'no_mail_server', e, policy);
  }
  const smtp = e.smtp;
  const undeliverable = smtp && UNDELIVERABLE_OUTCOMES[smtp.outcome];
  if (undeliverable === 'unroutable_mx' && hasUnresolvedHost(route)) {
    // "Only private addresses" is not definitive while another MX host failed
    // to resolve for now: it may be the public one.
    return { ...verdict('unknown', 'dns_error', e, policy), retryable: true };
  }
  if (undeliverable) return verdict('undeliverable', undeliverable, e, policy);

  const lists = e.lists;
  if (lists?.disposable && policy.disposableIsRisky)
    return verdict('risky', 'disposable', e, policy);
  if (smtp?.outcome === 'mailbox_full') {
    return { ...verdict('risky', 'mailbox_full', e, policy), retryable: true };
  }
  if (smtp?.outcome === 'accepted' && smtp.catchAll && policy.catchAllIsRisky) {
    return verdict('risky', 'catch_all', e, policy);
  }
  if (lists?.role && policy.roleIsRisky) return verdict('risky', 'role_account', e, policy);
  if (lists?.suggestion && policy.typoIsRisky) return verdict('risky', 'possible_typo', e, policy);

  if (route?.kind === 'error') {
    return { ...verdict('unknown', 'dns_error', e, policy), retryable: true };
  }
  if (!smtp) return verdict('unknown', 'smtp_skipped', e, policy);
  if (smtp.outcome === 'accepted') return verdict('deliverable', 'accepted', e, policy);

  const unknown = UNKNOWN_OUTCOMES[smtp.outcome] ?? {
    reason: 'smtp_temporary_error',
    retryable: true,
  };
  const v: Verdict = {
    ...verdict('unknown', unknown.reason, e, policy),
    retryable: unknown.retryable,
  };
  if (unknown.retryable && smtp.retryAfterSeconds !== undefined)
    v.retryAfterSeconds = smtp.retryAfterSeconds;
  return v;
}

/** A mail host whose addresses could not be looked up (SERVFAIL, timeout). */
function hasUnresolvedHost(route: MailRoute | null): boolean {
  if (route?.kind !== 'mx' && route?.kind !== 'implicit') return false;
  return route.hosts.some((h) => h.addresses.length === 0 && h.addressError === 'error');
}

function verdict(status: Status, reason: Reason, e: Evidence, policy: RiskPolicy): Verdict {
  let score = SCORES[reason];
  if (status === 'deliverable' || status === 'unknown') {
    if (e.lists?.role) score -= 5;
    if (e.lists?.free && policy.freeIsRisky) score -= 10;
    if (e.smtp?.catchAll) score -= 10;
  }
  return { status, reason, retryable: false, score: Math.max(0, Math.min(100, score)) };
}
