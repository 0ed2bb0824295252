/**
 * What `mailvet doctor` reports. Each check is data (status, what was seen,
 * what to do), so the CLI can print it for people or as JSON for scripts.
 */

/**
 * `pass`: fine. `warn`: works, but likely to cost accuracy. `fail`: mail hosts
 * will refuse or never see mailvet. `unknown`: could not be determined from
 * here (the text says why); not counted as a failure.
 */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'unknown';

export type CheckId = 'port25' | 'helo' | 'mail_from';

export interface DoctorCheck {
  id: CheckId;
  title: string;
  status: CheckStatus;
  /** One line: the verdict. */
  summary: string;
  /** What was observed, one fact per line. */
  details: string[];
  /** What to do about it; empty when nothing needs doing. */
  advice: string[];
}

/** The outcome of one connection attempt of the port-25 check. */
export interface TargetProbe {
  /** Host name or IP as given or found in MX. */
  host: string;
  /** The mail domain it was found for, when it came from an MX lookup. */
  domain: string | null;
  address: string | null;
  port: number;
  result: 'reachable' | 'blocked' | 'dns_failure' | 'proxy_error';
  /** Error code (MV_ERR_*, DNS code) or the banner's first line. */
  detail: string;
  /** Local address of the connection, when one was made (the IP mail hosts see, unless NAT). */
  localAddress: string | null;
}

export interface DoctorReport {
  /** True when no check failed. */
  ok: boolean;
  checks: DoctorCheck[];
  probes: TargetProbe[];
}
