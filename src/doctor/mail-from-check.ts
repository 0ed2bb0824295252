import type { DoctorCheck } from './doctor-report.js';
import type { DoctorResolver } from './doctor-resolver.js';
import { canonicalName, dnsErrorCode } from './doctor-resolver.js';

/**
 * Domains of big mailbox providers: a sender address there is one whose SPF
 * and DMARC you do not control, so receivers treat mail "from" it sent by your
 * host as forged.
 */
const PROVIDER_DOMAINS: ReadonlySet<string> = new Set([
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'live.com',
  'yahoo.com',
  'aol.com',
  'icloud.com',
  'me.com',
  'gmx.net',
  'mail.ru',
  'yandex.ru',
]);

// RFC 2606 / RFC 6761 names that never exist on the internet.
const RESERVED_SUFFIXES = ['localhost', 'test', 'invalid', 'example', 'local', 'internal'];

function check(
  status: DoctorCheck['status'],
  summary: string,
  details: string[],
  advice: string[],
): DoctorCheck {
  return { id: 'mail_from', title: 'MAIL FROM address', status, summary, details, advice };
}

async function has(lookup: () => Promise<unknown[]>): Promise<boolean | string> {
  try {
    return (await lookup()).length > 0;
  } catch (err) {
    const code = dnsErrorCode(err);
    return code === 'ENODATA' || code === 'ENOTFOUND' ? false : code;
  }
}

/**
 * Is the envelope sender sensible: a real address at a domain that exists,
 * that you control (not a big provider's), ideally with SPF published?
 */
export async function checkMailFrom(
  mailFrom: string,
  resolver: DoctorResolver,
): Promise<DoctorCheck> {
  const details = [`MAIL FROM: <${mailFrom}>`];
  const at = mailFrom.lastIndexOf('@');
  const local = at > 0 ? mailFrom.slice(0, at) : '';
  const domain = at > 0 ? canonicalName(mailFrom.slice(at + 1)) : '';
  if (!local || !domain || !domain.includes('.') || /[\s<>]/.test(mailFrom)) {
    return check('fail', `"${mailFrom}" is not an address with a domain`, details, [
      'Set --from / MAILVET_FROM to an address at a domain you control, e.g. verify@example.com.',
    ]);
  }
  const tld = domain.slice(domain.lastIndexOf('.') + 1);
  if (RESERVED_SUFFIXES.includes(tld) || domain === 'localhost') {
    return check(
      'fail',
      `${domain} is a reserved name that does not exist on the internet`,
      details,
      ['Servers check that the sender domain exists; use a domain you control.'],
    );
  }
  const mx = await has(() => resolver.resolveMx(domain));
  const a = mx === true ? true : await has(() => resolver.resolve4(domain));
  if (typeof mx === 'string' && typeof a === 'string') {
    return check('unknown', `could not look up ${domain} (${mx})`, details, [
      'Check the DNS servers (--dns, MAILVET_DNS) and run again.',
    ]);
  }
  if (mx !== true && a !== true) {
    return check('fail', `${domain} has no MX or A record`, details, [
      'Many servers reject senders whose domain cannot receive mail (reject_unknown_sender_domain). Use a domain with an MX record.',
    ]);
  }
  details.push(`${domain} has ${mx === true ? 'an MX' : 'an A'} record`);
  if (PROVIDER_DOMAINS.has(domain)) {
    return check('warn', `${domain} belongs to a mailbox provider`, details, [
      `You do not control SPF/DMARC for ${domain}; receivers may treat the probe as forged. Use an address at your own domain.`,
    ]);
  }
  const txt = await resolver.resolveTxt(domain).catch(() => [] as string[][]);
  const spf = txt.map((parts) => parts.join('')).find((t) => /^v=spf1(\s|$)/i.test(t));
  if (!spf) {
    return check('warn', `${domain} publishes no SPF record`, details, [
      `Publish an SPF record for ${domain} that includes this host's IP; some servers distrust senders without one.`,
    ]);
  }
  details.push(`SPF: ${spf}`);
  return check('pass', `${mailFrom} is at a real domain with SPF`, details, []);
}
