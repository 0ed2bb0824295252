/** mailvet's public library surface. */
export * from './verify/result.js';
export type {
  ParsedAddress,
  ParseResult,
  SyntaxErrorCode,
} from './verify/syntax/parsed-address.js';
export type { MailRoute, MailHost, MailResolver } from './verify/dns/mail-route.js';
export type { ListVerdict } from './verify/lists/list-verdict.js';
export type { SmtpVerdict, SmtpOutcome, SmtpProber } from './verify/smtp/smtp-verdict.js';
export * from './errors.js';
