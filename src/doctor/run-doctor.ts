import { isIP } from 'node:net';
import { InvalidArgumentError } from '../errors.js';
import { isPublicAddress } from '../verify/smtp/address-policy.js';
import { createSocketFactory } from '../verify/smtp/connect.js';
import type { DoctorReport } from './doctor-report.js';
import { createDoctorResolver } from './doctor-resolver.js';
import type { DoctorResolver } from './doctor-resolver.js';
import { checkHelo } from './helo-check.js';
import { checkMailFrom } from './mail-from-check.js';
import type { PortTarget } from './port25-check.js';
import { checkPort25, MAX_TARGETS, parseTarget, WELL_KNOWN_MAIL_DOMAINS } from './port25-check.js';

/** Per connection and per DNS query, when none is given. */
export const DEFAULT_DOCTOR_TIMEOUT_MS = 5_000;

export interface DoctorOptions {
  /** DNS servers as `host:port`; empty = the system's. */
  dnsServers?: readonly string[];
  heloName: string;
  mailFrom: string;
  /** Port of the well-known mail hosts. Default 25. */
  smtpPort?: number;
  /** `host[:port]` to check instead of the well-known providers' MX hosts. */
  targets?: readonly string[];
  /** Per connection attempt and per DNS query. Default DEFAULT_DOCTOR_TIMEOUT_MS. */
  timeoutMs?: number;
  proxy?: string | null;
  sourceAddress?: string | null;
  /**
   * The IP mail hosts see this host as. Default: the local address of a
   * successful port-25 connection, when that is a public address.
   */
  publicIp?: string | null;
  /** Injected for tests; default a resolver on `dnsServers`. */
  resolver?: DoctorResolver;
}

/**
 * Runs every doctor check and returns the report; never throws for what it
 * finds, only for invalid options (InvalidArgumentError / ConfigError).
 */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_DOCTOR_TIMEOUT_MS;
  const smtpPort = options.smtpPort ?? 25;
  if (options.publicIp && isIP(options.publicIp) === 0) {
    throw new InvalidArgumentError(`--public-ip must be an IP address, got "${options.publicIp}"`);
  }
  const given = options.targets ?? [];
  if (given.length > MAX_TARGETS) {
    throw new InvalidArgumentError(`at most ${MAX_TARGETS} targets, got ${given.length}`);
  }
  let targets: PortTarget[];
  try {
    targets =
      given.length > 0
        ? given.map((t) => parseTarget(t, smtpPort))
        : WELL_KNOWN_MAIL_DOMAINS.map((domain) => ({ host: domain, port: smtpPort, mxOf: domain }));
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  const resolver = options.resolver ?? createDoctorResolver(options.dnsServers ?? [], timeoutMs);
  // Explicit --target hosts are the operator's own choice (often loopback in
  // tests), so the SSRF policy does not apply to them. The default targets are
  // MX hosts found in DNS: a poisoned answer must not turn doctor into a probe
  // of the internal network, so those keep the policy.
  const connect = createSocketFactory({
    allowPrivate: given.length > 0,
    proxy: options.proxy ?? null,
    sourceAddress: options.sourceAddress ?? null,
    connectTimeoutMs: timeoutMs,
  });

  const port25 = await checkPort25(targets, connect, resolver, timeoutMs);
  // Through a proxy the local address is ours, not the one mail hosts see.
  const observed = options.proxy
    ? null
    : (port25.probes.find((p) => p.localAddress && isPublicAddress(p.localAddress))?.localAddress ??
      null);
  const publicIp = options.publicIp || observed;
  const [helo, mailFrom] = await Promise.all([
    checkHelo(options.heloName, publicIp, resolver),
    checkMailFrom(options.mailFrom, resolver),
  ]);
  const checks = [port25.check, helo, mailFrom];
  return { ok: checks.every((c) => c.status !== 'fail'), checks, probes: port25.probes };
}
