import type { ParsedAddress, ParseResult } from './syntax/parsed-address.js';
import type { ListVerdict } from './lists/list-verdict.js';
import type { MailHost, MailResolver, MailRoute } from './dns/mail-route.js';
import type { SmtpProber, SmtpVerdict } from './smtp/smtp-verdict.js';
import type { DnsInfo, SmtpInfo, SyntaxInfo, VerificationResult } from './result.js';
import type { Verifier, VerifyOptions } from './verifier-types.js';
import { classify, DEFAULT_RISK_POLICY, type RiskPolicy } from './classify.js';
import { runWindowed } from './windowed-map.js';
import { publish } from '../observability/channels.js';

/** Everything the engine needs from outside, injected so tests use real parts. */
export interface VerifierDependencies {
  parse: (input: string) => ParseResult;
  canonicalize: (address: ParsedAddress) => string;
  lists: { check(address: ParsedAddress): ListVerdict };
  resolver: MailResolver;
  /** Null: this verifier never probes SMTP. */
  prober: SmtpProber | null;
  /** Provider by MX host names, for results that never reached SMTP. */
  recogniseProvider?: (mxHosts: string[]) => { id: string } | null;
  now?: () => number;
}

export interface VerifierOptions {
  /** Probe SMTP unless a call says otherwise. Default true (needs a prober). */
  smtp?: boolean;
  policy?: RiskPolicy;
  /**
   * Overall budget of one verification, DNS and SMTP together; past it the
   * answer is `unknown/timeout` (retryable), whichever step was slow.
   */
  timeoutMs?: number;
  /** verifyMany: addresses in flight at once (they queue in the SMTP pools). */
  concurrency?: number;
}

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_CONCURRENCY = 500;

const NO_SMTP: SmtpInfo = Object.freeze({
  checked: false,
  mxHost: null,
  code: null,
  enhancedCode: null,
  message: null,
  tls: false,
  attempts: 0,
}) as SmtpInfo;

/**
 * The engine: syntax → lists → DNS → SMTP → classify, one address or many.
 * Holds no I/O of its own; everything comes through `deps`.
 */
export function createVerifier(
  deps: VerifierDependencies,
  options: VerifierOptions = {},
): Verifier {
  const now = deps.now ?? Date.now;
  const policy = options.policy ?? DEFAULT_RISK_POLICY;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const smtpDefault = (options.smtp ?? true) && deps.prober !== null;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  let closed = false;

  async function verify(email: string, opts: VerifyOptions = {}): Promise<VerificationResult> {
    const started = now();
    const input = typeof email === 'string' ? email : String(email);
    const t0 = performance.now();
    const parsed = deps.parse(input);
    publish('verifyStep', { step: 'syntax', seconds: (performance.now() - t0) / 1000 });
    if (!parsed.ok) {
      const v = classify({ syntaxValid: false, lists: null, route: null, smtp: null }, policy);
      return finish(input, null, invalidSyntax(parsed.error), null, null, null, v, started);
    }
    const address = parsed.address;
    const lists = deps.lists.check(address);
    const route = await withinBudget(resolveRoute(address), started);
    if (route === BUDGET_SPENT) {
      // Slow DNS may not outlast the budget either: unknown/timeout, retryable.
      const smtp = timeoutVerdict(null);
      const v = classify({ syntaxValid: true, lists, route: null, smtp }, policy);
      return finish(input, address, syntaxInfo(address), lists, null, smtp, v, started);
    }
    let smtp: SmtpVerdict | null = null;
    const wantSmtp = (opts.smtp ?? smtpDefault) && deps.prober !== null;
    const hosts = route.kind === 'mx' || route.kind === 'implicit' ? route.hosts : null;
    if (wantSmtp && hosts && !closed) smtp = await probeWithBudget(address, hosts, started);
    const v = classify({ syntaxValid: true, lists, route, smtp }, policy);
    return finish(input, address, syntaxInfo(address), lists, route, smtp, v, started);
  }

  async function resolveRoute(address: ParsedAddress): Promise<MailRoute> {
    // An address literal names its mail host directly: no DNS involved.
    if (address.addressLiteral) {
      const host: MailHost = {
        exchange: address.domain,
        preference: 0,
        addresses: [address.addressLiteral],
      };
      return { kind: 'implicit', hosts: [host] };
    }
    const t0 = performance.now();
    const route = await deps.resolver.resolveMail(address.asciiDomain);
    publish('verifyStep', { step: 'dns', seconds: (performance.now() - t0) / 1000 });
    return route;
  }

  /** `work`, or BUDGET_SPENT once the verification's overall budget is gone. */
  async function withinBudget<T>(
    work: Promise<T>,
    started: number,
  ): Promise<T | typeof BUDGET_SPENT> {
    const remaining = Math.max(1, timeoutMs - (now() - started));
    let timer: NodeJS.Timeout | undefined;
    const spent = new Promise<typeof BUDGET_SPENT>((resolve) => {
      timer = setTimeout(() => resolve(BUDGET_SPENT), remaining);
    });
    try {
      return await Promise.race([work, spent]);
    } finally {
      clearTimeout(timer);
    }
  }

  async function probeWithBudget(
    address: ParsedAddress,
    hosts: MailHost[],
    started: number,
  ): Promise<SmtpVerdict> {
    const t0 = performance.now();
    try {
      const verdict = await withinBudget(deps.prober!.probe({ address, hosts }), started);
      return verdict === BUDGET_SPENT ? timeoutVerdict(hosts[0]?.exchange ?? null) : verdict;
    } finally {
      publish('verifyStep', { step: 'smtp', seconds: (performance.now() - t0) / 1000 });
    }
  }

  function finish(
    email: string,
    address: ParsedAddress | null,
    syntax: SyntaxInfo,
    lists: ListVerdict | null,
    route: MailRoute | null,
    smtp: SmtpVerdict | null,
    v: ReturnType<typeof classify>,
    started: number,
  ): VerificationResult {
    if (address) syntax.canonical = deps.canonicalize(address);
    const dns = dnsInfo(route);
    const provider = smtp?.provider ?? providerOf(dns);
    const result: VerificationResult = {
      email,
      normalized: address?.normalized ?? null,
      status: v.status,
      reason: v.reason,
      flags: {
        disposable: lists?.disposable ?? false,
        role: lists?.role ?? false,
        free: lists?.free ?? false,
        catchAll: smtp?.catchAll ?? false,
        relay: lists?.relay ?? false,
      },
      suggestion: lists?.suggestion ?? null,
      provider,
      score: v.score,
      syntax,
      dns,
      smtp: smtp ? smtp.smtp : { ...NO_SMTP },
      retryable: v.retryable,
      checkedAt: new Date(now()).toISOString(),
      durationMs: Math.max(0, now() - started),
    };
    if (v.retryAfterSeconds !== undefined) result.retryAfterSeconds = v.retryAfterSeconds;
    publish('verifyResult', { status: result.status, reason: result.reason });
    return result;
  }

  function providerOf(dns: DnsInfo): string | null {
    if (!deps.recogniseProvider || dns.mx.length === 0) return null;
    return deps.recogniseProvider(dns.mx.map((m) => m.exchange))?.id ?? null;
  }

  return {
    verify,
    verifyMany(emails, opts = {}) {
      const { signal, ...each } = opts;
      return runWindowed(emails, concurrency, (email) => verify(email, each), signal);
    },
    async close(opts = {}) {
      if (closed) return;
      closed = true;
      await Promise.all([deps.prober?.close(opts), deps.resolver.close()]);
    },
  };
}

const BUDGET_SPENT = Symbol('budget spent');

/**
 * The overall budget ran out: during DNS (`mxHost` null, SMTP never reached)
 * or while probing `mxHost`.
 */
function timeoutVerdict(mxHost: string | null): SmtpVerdict {
  return {
    outcome: 'timeout',
    catchAll: null,
    provider: null,
    smtp: mxHost === null ? { ...NO_SMTP } : { ...NO_SMTP, checked: true, mxHost },
  };
}

function syntaxInfo(a: ParsedAddress): SyntaxInfo {
  return {
    valid: true,
    localPart: a.localPart,
    domain: a.domain,
    asciiDomain: a.asciiDomain,
    smtputf8: a.smtputf8,
    canonical: null,
  };
}

function invalidSyntax(error: string): SyntaxInfo {
  return {
    valid: false,
    localPart: null,
    domain: null,
    asciiDomain: null,
    smtputf8: false,
    canonical: null,
    error,
  };
}

function dnsInfo(route: MailRoute | null): DnsInfo {
  if (!route) return { mx: [], implicitMx: false, nullMx: false };
  if (route.kind === 'mx' || route.kind === 'implicit') {
    return {
      mx: route.hosts.map((h) => ({ exchange: h.exchange, preference: h.preference })),
      implicitMx: route.kind === 'implicit',
      nullMx: false,
    };
  }
  return { mx: [], implicitMx: false, nullMx: route.kind === 'null_mx' };
}
