/** One mail exchanger with the addresses it resolved to. */
export interface MailHost {
  /** Host name, lower case, no trailing dot. For an implicit MX, the domain itself. */
  exchange: string;
  preference: number;
  /** IPv4 addresses first, then IPv6. Empty when the host did not resolve. */
  addresses: string[];
  /** Why `addresses` is empty, when it is. */
  addressError?: 'nxdomain' | 'nodata' | 'error';
}

/**
 * How mail for a domain is routed, as far as DNS can tell. Temporary failures
 * (`error`) are kept apart from definitive answers so they never become
 * "undeliverable".
 */
export type MailRoute =
  | { kind: 'mx'; hosts: MailHost[] } // sorted by preference, then name
  | { kind: 'implicit'; hosts: MailHost[] } // no MX: A/AAAA of the domain (RFC 5321 §5.1)
  | { kind: 'null_mx' } // RFC 7505: "MX 0 ."
  | { kind: 'nxdomain' }
  | { kind: 'no_mail_server' } // no MX and no A/AAAA (NODATA), or no MX host resolves
  | { kind: 'error'; error: 'servfail' | 'timeout' | 'refused' | 'other'; message: string };

export interface MailResolver {
  /** Resolve the mail route of an A-label domain. Never throws for DNS answers. */
  resolveMail(asciiDomain: string): Promise<MailRoute>;
  close(): Promise<void>;
}
