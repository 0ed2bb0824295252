import type { SmtpOutcome } from './smtp-verdict.js';
import type { SmtpReply } from './smtp-reply.js';
import {
  DBEB,
  DISABLED,
  DOMAIN_NOT_HERE,
  GREYLIST,
  MAILBOX_FULL,
  MAILBOX_UNAVAILABLE,
  NOT_ABOUT_THE_USER,
  POLICY,
  QMAIL_ENHANCED,
  RATE,
  RECIPIENT_REJECTED,
  RETRY_LATER,
  SENDER,
  STRONG_POLICY,
  USER_UNKNOWN,
} from './reply-patterns.js';

/** An outcome plus the name of the rule that produced it (logs, tests, docs). */
export interface ReplyClassification {
  outcome: SmtpOutcome;
  rule: string;
}

/**
 * What one RCPT TO reply says about the mailbox. Conservative by design
 * (design.md §3): only a permanent reply whose enhanced code or text means
 * "no such user" yields `mailbox_not_found`; anything unrecognised is unknown.
 * The full decision table is in docs/smtp-session.md.
 */
export function classifyRcptReply(reply: SmtpReply): SmtpOutcome {
  return explainRcptReply(reply).outcome;
}

export function explainRcptReply(reply: SmtpReply): ReplyClassification {
  const code = reply.code;
  const text = reply.message;
  const enhanced = enhancedOf(reply);
  if (code >= 200 && code < 300) return { outcome: 'accepted', rule: '2xx' };
  if (code === 421) return { outcome: 'temporary_error', rule: '421 closing' };
  if (isTooManyRecipients(reply))
    return { outcome: 'temporary_error', rule: 'too many recipients' };
  if (code >= 400 && code < 500) return transient(enhanced, text, code);
  if (code >= 500 && code < 600) return permanent(enhanced, text, code);
  return { outcome: 'temporary_error', rule: 'unexpected code' };
}

/**
 * What a refusal before any recipient (banner, EHLO/HELO, MAIL FROM) means:
 * the server turned down the session or our sender, never a mailbox.
 */
export function classifySessionReply(reply: SmtpReply): SmtpOutcome {
  return explainSessionReply(reply).outcome;
}

export function explainSessionReply(reply: SmtpReply): ReplyClassification {
  const code = reply.code;
  const text = reply.message;
  const enhanced = enhancedOf(reply);
  if (code >= 200 && code < 300) return { outcome: 'accepted', rule: '2xx' };
  if (code === 421) return { outcome: 'temporary_error', rule: '421 closing' };
  if (code >= 400 && code < 500) {
    if (GREYLIST.test(text)) return { outcome: 'greylisted', rule: 'greylist text' };
    if (POLICY.test(text) || enhanced?.startsWith('4.7.')) {
      return { outcome: 'blocked', rule: '4xx policy' };
    }
    return { outcome: 'temporary_error', rule: 'other 4xx' };
  }
  // A permanent refusal of the session or sender: 554 banners, 550 sender rejected, 5.7.x.
  return { outcome: 'blocked', rule: '5xx session refusal' };
}

/**
 * RFC 5321 §4.5.3.1.10: 452 (and, from older servers, 552) "too many
 * recipients", with or without enhanced code 4.5.3/5.5.3. The pool lowers its
 * per-transaction recipient limit and re-queues these recipients.
 */
export function isTooManyRecipients(reply: SmtpReply): boolean {
  if (reply.code !== 452 && reply.code !== 552 && reply.code !== 451) return false;
  const enhanced = enhancedOf(reply);
  if (enhanced === '4.5.3' || enhanced === '5.5.3') return true;
  return /too many recipients|recipient limit|max(imum)? (number of )?recipients/i.test(
    reply.message,
  );
}

function transient(enhanced: string | null, text: string, code: number): ReplyClassification {
  if (enhanced === '4.2.2' || MAILBOX_FULL.test(text)) {
    return { outcome: 'mailbox_full', rule: '4.2.2 / full text' };
  }
  if (GREYLIST.test(text)) return { outcome: 'greylisted', rule: 'greylist text' };
  if (POLICY.test(text)) return { outcome: 'blocked', rule: '4xx policy text' };
  // Greylisting without the word: 450/451 "try again later" with no code or a
  // 4.2.0/4.7.x code. Other subjects (4.1.1 unverified, 4.3.0 system) are not.
  const greylistCode = enhanced === null || enhanced === '4.2.0' || enhanced.startsWith('4.7.');
  if ((code === 450 || code === 451) && greylistCode && RETRY_LATER.test(text)) {
    return { outcome: 'greylisted', rule: '450/451 try again later' };
  }
  if (enhanced?.startsWith('4.7.')) return { outcome: 'blocked', rule: '4.7.x' };
  return { outcome: 'temporary_error', rule: 'other 4xx' };
}

function permanent(enhanced: string | null, text: string, code: number): ReplyClassification {
  // What the reply says about us or the moment outranks any user code: a
  // reply naming both is contradictory, hence not definitive (design.md §3).
  if (SENDER.test(text) || enhanced === '5.1.7' || enhanced === '5.1.8') {
    return { outcome: 'blocked', rule: 'about our sender' };
  }
  if (STRONG_POLICY.test(text)) return { outcome: 'blocked', rule: 'block list / spam text' };
  if (RATE.test(text)) return { outcome: 'temporary_error', rule: 'rate / volume text' };
  switch (enhanced) {
    case '5.1.1': // bad destination mailbox address
    case '5.1.10': // Exchange: RESOLVER.ADR.RecipientNotFound
    case '5.1.6': // mailbox has moved, no forwarding address
      return { outcome: 'mailbox_not_found', rule: enhanced };
    case '5.2.1':
      return { outcome: 'mailbox_disabled', rule: '5.2.1' };
    case '5.2.2':
      return { outcome: 'mailbox_full', rule: '5.2.2' };
  }
  // Exchange Online directory-based edge blocking: the tenant's directory has no such recipient.
  if (enhanced === '5.4.1' && DBEB.test(text)) {
    return { outcome: 'mailbox_not_found', rule: '5.4.1 DBEB' };
  }
  if (enhanced?.startsWith('5.7.')) return { outcome: 'blocked', rule: '5.7.x' };
  const notAboutMailbox = NOT_ABOUT_THE_MAILBOX_CODE.exec(enhanced ?? '');
  if (notAboutMailbox) return { outcome: 'temporary_error', rule: notAboutMailbox[0] };
  // No decisive enhanced code: the text decides, policy first so that
  // "mailbox unavailable … blocked" is never read as a missing mailbox.
  if (POLICY.test(text)) return { outcome: 'blocked', rule: '5xx policy text' };
  if (DOMAIN_NOT_HERE.test(text)) return { outcome: 'temporary_error', rule: 'domain not here' };
  if (DISABLED.test(text)) return { outcome: 'mailbox_disabled', rule: 'disabled text' };
  if (MAILBOX_FULL.test(text)) return { outcome: 'mailbox_full', rule: 'full text' };
  if (USER_UNKNOWN.test(text)) return { outcome: 'mailbox_not_found', rule: 'user unknown text' };
  const weak = MAILBOX_UNAVAILABLE.test(text) || RECIPIENT_REJECTED.test(text);
  if (weak && !NOT_ABOUT_THE_USER.test(text)) {
    return { outcome: 'mailbox_not_found', rule: 'mailbox unavailable / rejected text' };
  }
  if (code === 554) return { outcome: 'blocked', rule: '554 without user evidence' };
  // A bare "550 Rejected" is not definitive evidence: unknown, never undeliverable.
  return { outcome: 'temporary_error', rule: 'unrecognised 5xx' };
}

/**
 * Enhanced codes (RFC 3463) whose subject is not the mailbox's existence:
 * destination domain (5.1.2), address syntax as the server reads it (5.1.3 —
 * ours passed RFC 5321 checks), ambiguous address (5.1.4), message size or
 * list expansion (5.2.3, 5.2.4), mail system and routing (5.3.x, 5.4.x),
 * protocol (5.5.1–5.5.6; 5.5.0 is left to the text because Outlook.com sends
 * it for unknown users) and content (5.6.x). Text never overrules them.
 */
const NOT_ABOUT_THE_MAILBOX_CODE = /^5\.(1\.[234]|2\.[34]|3\.\d+|4\.\d+|5\.[1-9]\d*|6\.\d+)$/;

/** The reply's enhanced code, or a qmail-style `(#5.1.1)` one whose class matches. */
function enhancedOf(reply: SmtpReply): string | null {
  if (reply.enhancedCode) return reply.enhancedCode;
  const m = QMAIL_ENHANCED.exec(reply.message);
  if (!m || m[1] !== String(reply.code)[0]) return null;
  return `${m[1]}.${Number(m[2])}.${Number(m[3])}`;
}
