import { isIP } from 'node:net';
import type { DoctorCheck } from './doctor-report.js';
import type { DoctorResolver } from './doctor-resolver.js';
import { canonicalName, dnsErrorCode } from './doctor-resolver.js';

// RFC 1123 host name: labels of letters, digits and inner hyphens, at least two labels.
const HOST_NAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

async function addressesOf(
  name: string,
  resolver: DoctorResolver,
): Promise<{ addresses: string[]; errors: string[] }> {
  const addresses: string[] = [];
  const errors: string[] = [];
  for (const lookup of [resolver.resolve4.bind(resolver), resolver.resolve6.bind(resolver)]) {
    try {
      addresses.push(...(await lookup(name)));
    } catch (err) {
      const code = dnsErrorCode(err);
      if (code !== 'ENODATA' && code !== 'ENOTFOUND') errors.push(code);
    }
  }
  return { addresses, errors };
}

function check(
  status: DoctorCheck['status'],
  summary: string,
  details: string[],
  advice: string[],
): DoctorCheck {
  return { id: 'helo', title: 'HELO name and reverse DNS', status, summary, details, advice };
}

const FCRDNS_ADVICE =
  "Set the PTR (reverse DNS) record of this host's public IP to the HELO name (your hosting provider's panel), and make the HELO name's A/AAAA record point back at that IP. Many servers refuse or distrust clients without forward-confirmed reverse DNS.";

/**
 * Is the HELO name a real, resolving host name, and does this host's public
 * IP have forward-confirmed reverse DNS matching it? Without the public IP
 * (behind NAT or a proxy, and none given) the second half is `unknown`.
 */
export async function checkHelo(
  heloName: string,
  publicIp: string | null,
  resolver: DoctorResolver,
): Promise<DoctorCheck> {
  const name = canonicalName(heloName.trim());
  const details: string[] = [`HELO name: ${heloName || '(empty)'}`];
  if (
    !HOST_NAME.test(name) ||
    isIP(name) !== 0 ||
    name === 'localhost' ||
    name.endsWith('.localhost')
  ) {
    return check('fail', `"${heloName}" is not a fully qualified host name`, details, [
      'Set --helo / MAILVET_HELO to this host\'s public DNS name (e.g. verify.example.com). Servers reject "localhost", bare words and IP literals.',
    ]);
  }
  const forward = await addressesOf(name, resolver);
  if (forward.addresses.length === 0) {
    if (forward.errors.length > 0) {
      details.push(`lookup failed: ${forward.errors.join(', ')}`);
      return check('unknown', `could not resolve ${name} (DNS error)`, details, [
        'Check the DNS servers (--dns, MAILVET_DNS) and run again.',
      ]);
    }
    return check('fail', `${name} does not resolve to any address`, details, [
      `Publish an A (and/or AAAA) record for ${name} pointing at this host's public IP; many servers reject HELO names that do not resolve.`,
    ]);
  }
  details.push(`${name} → ${forward.addresses.join(', ')}`);
  if (publicIp === null) {
    return check(
      'unknown',
      `${name} resolves; this host's public IP could not be determined`,
      details,
      [
        'Connections leave through NAT or a proxy, so the IP mail hosts see is not known here. Run with --public-ip <ip> to check reverse DNS.',
      ],
    );
  }
  details.push(`public IP: ${publicIp}`);
  let ptrs: string[];
  try {
    ptrs = (await resolver.reverse(publicIp)).map(canonicalName);
  } catch (err) {
    const code = dnsErrorCode(err);
    if (code !== 'ENOTFOUND' && code !== 'ENODATA') {
      details.push(`PTR lookup failed: ${code}`);
      return check('unknown', `could not look up the PTR record of ${publicIp}`, details, [
        'Check the DNS servers (--dns, MAILVET_DNS) and run again.',
      ]);
    }
    ptrs = [];
  }
  details.push(`PTR ${publicIp} → ${ptrs.length > 0 ? ptrs.join(', ') : '(none)'}`);
  const problems: string[] = [];
  if (!ptrs.includes(name)) problems.push(`the PTR of ${publicIp} is not ${name}`);
  if (!forward.addresses.includes(publicIp))
    problems.push(`${name} does not resolve to ${publicIp}`);
  if (problems.length > 0) return check('fail', problems.join('; '), details, [FCRDNS_ADVICE]);
  return check('pass', `${name} ↔ ${publicIp}: forward-confirmed reverse DNS matches`, details, []);
}
