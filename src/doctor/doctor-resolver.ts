import { Resolver } from 'node:dns/promises';
import { parseServerAddress } from '../verify/dns/parse-server-address.js';

/** The lookups the doctor needs, as node's promise Resolver offers them. */
export type DoctorResolver = Pick<
  Resolver,
  'resolve4' | 'resolve6' | 'resolveMx' | 'resolveTxt' | 'reverse'
>;

/** Tries per query; the doctor is interactive, so it gives up quickly. */
const DOCTOR_DNS_TRIES = 2;

/**
 * A resolver for the configured DNS servers (`host:port`), or the system's
 * when none are configured. Server strings are validated like the engine's.
 */
export function createDoctorResolver(
  servers: readonly string[],
  timeoutMs: number,
): DoctorResolver {
  const resolver = new Resolver({ timeout: timeoutMs, tries: DOCTOR_DNS_TRIES });
  if (servers.length > 0) {
    resolver.setServers(
      servers.map((s) => {
        const { host, port, family } = parseServerAddress(s);
        return family === 6 ? `[${host}]:${port}` : `${host}:${port}`;
      }),
    );
  }
  return resolver;
}

/** The DNS error code (`ENOTFOUND`, `ETIMEOUT`, …) of a failed lookup. */
export function dnsErrorCode(err: unknown): string {
  return (err as NodeJS.ErrnoException)?.code ?? 'EDNS';
}

/** Lower case, no trailing dot: how names are compared. */
export function canonicalName(name: string): string {
  return name.toLowerCase().replace(/\.+$/, '');
}
