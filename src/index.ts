/**
 * mailvet's public library surface.
 *
 * ```ts
 * import { createDefaultVerifier, defaultConfig } from 'mailvet';
 * const verifier = createDefaultVerifier(defaultConfig({ 'smtp.heloName': 'verify.example.com' }));
 * const result = await verifier.verify('someone@example.com');
 * await verifier.close();
 * ```
 */
export * from './verify/result.js';
export type { Verifier, VerifyOptions } from './verify/verifier-types.js';
export {
  createVerifier,
  type VerifierDependencies,
  type VerifierOptions,
} from './verify/verifier.js';
export { createDefaultVerifier } from './verify/default-verifier.js';
export {
  classify,
  DEFAULT_RISK_POLICY,
  type RiskPolicy,
  type Evidence,
  type Verdict,
} from './verify/classify.js';
export { parseAddress, canonicalize } from './verify/syntax/index.js';
export type { ParsedAddress, ParseResult, SyntaxErrorCode } from './verify/syntax/index.js';
export {
  createLists,
  type Lists,
  type ListsOptions,
  type ListVerdict,
} from './verify/lists/index.js';
export { createMailResolver, type DnsOptions } from './verify/dns/index.js';
export type { MailRoute, MailHost, MailResolver } from './verify/dns/index.js';
export { createSmtpProber } from './verify/smtp/prober.js';
export { createSocketFactory } from './verify/smtp/connect.js';
export { recogniseProvider } from './verify/smtp/providers.js';
export type {
  SmtpVerdict,
  SmtpOutcome,
  SmtpProber,
  SmtpProbeRequest,
} from './verify/smtp/smtp-verdict.js';
export { RESULT_COLUMNS, resultRow } from './verify/result-row.js';
export { loadConfig, defaultConfig, type MailvetConfig, type ConfigSources } from './config.js';
export * from './errors.js';
// For receivers of job webhooks written in Node: the check the docs show.
export {
  verifyWebhookSignature,
  SIGNATURE_HEADER,
  DEFAULT_SIGNATURE_TOLERANCE_SECONDS,
} from './jobs/webhook-signature.js';
