/**
 * Mail provider recognition by MX host name. The verifier uses it for two
 * things: the `provider` field of a result, and knowing when SMTP evidence is
 * worthless (a provider that answers 250 to every RCPT makes "accepted" mean
 * nothing, so the answer is `provider_unverifiable`).
 */

export type ProviderId =
  | 'google'
  | 'microsoft'
  | 'yahoo'
  | 'icloud'
  | 'zoho'
  | 'proofpoint'
  | 'mimecast'
  | 'barracuda'
  | 'fastmail'
  | 'protonmail'
  | 'yandex'
  | 'mailru'
  | 'gmx'
  | 'webde'
  | 'ionos'
  | 'ovh'
  | 'rackspace'
  | 'godaddy'
  | 'qq'
  | 'naver'
  | 'seznam'
  | 'tutanota'
  | 'cloudflare';

export interface ProviderInfo {
  id: ProviderId;
  /** Display name. */
  name: string;
  /**
   * True when the provider answers 250 to RCPT for any local part, so an
   * acceptance proves nothing (→ `provider_unverifiable`).
   */
  acceptsAllRcpt: boolean;
  /** What to know when reading this provider's SMTP answers. */
  notes: string;
}

interface ProviderEntry extends ProviderInfo {
  /** MX host name suffixes, matched on whole labels (`google.com` matches `aspmx.l.google.com`). */
  suffixes: string[];
}

// Facts as observed on the providers' public MX records and SMTP replies.
const PROVIDERS: ProviderEntry[] = [
  {
    // Gmail and Google Workspace: aspmx.l.google.com, alt1-4.aspmx.l.google.com,
    // gmail-smtp-in.l.google.com, smtp.google.com (newer Workspace setups), and
    // the legacy aspmx2-5.googlemail.com backups.
    id: 'google',
    name: 'Google',
    suffixes: ['google.com', 'googlemail.com'],
    acceptsAllRcpt: false,
    notes:
      'Rejects unknown mailboxes with 550 5.1.1 at RCPT; rate-limits bursts with 421/450 4.7.x.',
  },
  {
    // Microsoft 365 tenants: <tenant>.mail.protection.outlook.com; Outlook.com /
    // Hotmail consumer mail: outlook-com.olc.protection.outlook.com; older
    // consumer MX mx1-4.hotmail.com.
    id: 'microsoft',
    name: 'Microsoft 365 / Outlook.com',
    suffixes: ['outlook.com', 'hotmail.com'],
    acceptsAllRcpt: false,
    notes:
      'Tenants with directory-based edge blocking reject unknown users with 550 5.4.1; others accept and bounce later. Blocks unknown senders with 5.7.x.',
  },
  {
    // Yahoo and AOL: mta5/6/7.am0.yahoodns.net, mx-aol.mail.gm0.yahoodns.net.
    id: 'yahoo',
    name: 'Yahoo / AOL',
    suffixes: ['yahoodns.net'],
    acceptsAllRcpt: true,
    notes:
      'Answers 250 to RCPT for any local part and bounces later; SMTP cannot verify mailboxes.',
  },
  {
    // iCloud Mail (icloud.com, me.com, mac.com, custom domains): mx01/mx02.mail.icloud.com.
    id: 'icloud',
    name: 'Apple iCloud Mail',
    suffixes: ['mail.icloud.com'],
    acceptsAllRcpt: false,
    notes: 'Rejects unknown mailboxes at RCPT.',
  },
  {
    // Zoho Mail per data centre: mx.zoho.com, mx.zoho.eu, mx.zoho.in,
    // mx.zoho.com.au, mx.zoho.jp, mx.zohocloud.ca, mx.zoho.sa (and mx2/mx3).
    id: 'zoho',
    name: 'Zoho Mail',
    suffixes: [
      'zoho.com',
      'zoho.eu',
      'zoho.in',
      'zoho.com.au',
      'zoho.jp',
      'zohocloud.ca',
      'zoho.sa',
    ],
    acceptsAllRcpt: false,
    notes: 'Rejects unknown mailboxes at RCPT.',
  },
  {
    // Proofpoint Enterprise: mx0a-<id>.pphosted.com; Proofpoint Essentials:
    // mx1-us1.ppe-hosted.com.
    id: 'proofpoint',
    name: 'Proofpoint (security gateway)',
    suffixes: ['pphosted.com', 'ppe-hosted.com'],
    acceptsAllRcpt: false,
    notes:
      'A filtering gateway in front of the real mail system: recipient checks depend on how the customer configured it.',
  },
  {
    // Mimecast per region: us-smtp-inbound-1.mimecast.com, eu-smtp-inbound-1.mimecast.com,
    // za: *.mimecast.co.za; offshore: *.mimecast-offshore.com.
    id: 'mimecast',
    name: 'Mimecast (security gateway)',
    suffixes: ['mimecast.com', 'mimecast.co.za', 'mimecast-offshore.com'],
    acceptsAllRcpt: false,
    notes:
      'A filtering gateway: recipient checks depend on customer configuration; often rejects unknown senders with 5.7.x.',
  },
  {
    // Barracuda Email Security Service: d<id>.a.ess.barracudanetworks.com (and .b.).
    id: 'barracuda',
    name: 'Barracuda (security gateway)',
    suffixes: ['barracudanetworks.com'],
    acceptsAllRcpt: false,
    notes: 'A filtering gateway: recipient checks depend on customer configuration.',
  },
  {
    // Fastmail: in1-smtp.messagingengine.com, in2-smtp.messagingengine.com.
    id: 'fastmail',
    name: 'Fastmail',
    suffixes: ['messagingengine.com'],
    acceptsAllRcpt: false,
    notes: 'Rejects unknown mailboxes at RCPT.',
  },
  {
    // Proton Mail: mail.protonmail.ch, mailsec.protonmail.ch.
    id: 'protonmail',
    name: 'Proton Mail',
    suffixes: ['protonmail.ch'],
    acceptsAllRcpt: false,
    notes: 'Rejects unknown mailboxes at RCPT.',
  },
  {
    // Yandex Mail and Yandex 360: mx.yandex.net, mx.yandex.ru.
    id: 'yandex',
    name: 'Yandex Mail',
    suffixes: ['yandex.net', 'yandex.ru'],
    acceptsAllRcpt: false,
    notes: 'Rejects unknown mailboxes at RCPT.',
  },
  {
    // Mail.ru (mail.ru, bk.ru, list.ru, inbox.ru) and VK WorkMail: mxs.mail.ru, emx.mail.ru.
    id: 'mailru',
    name: 'Mail.ru',
    suffixes: ['mail.ru'],
    acceptsAllRcpt: false,
    notes: 'Rejects unknown mailboxes at RCPT.',
  },
  {
    // GMX: mx00.gmx.net, mx01.gmx.net (also serves gmx.de/gmx.com/mail.com).
    id: 'gmx',
    name: 'GMX / mail.com',
    suffixes: ['gmx.net'],
    acceptsAllRcpt: false,
    notes: 'United Internet; rejects unknown mailboxes at RCPT.',
  },
  {
    // WEB.DE: mx-ha02.web.de, mx-ha03.web.de.
    id: 'webde',
    name: 'WEB.DE',
    suffixes: ['web.de'],
    acceptsAllRcpt: false,
    notes: 'United Internet; rejects unknown mailboxes at RCPT.',
  },
  {
    // IONOS (1&1) hosted domains: mx00.ionos.de, mx01.ionos.com; legacy mx00.kundenserver.de.
    id: 'ionos',
    name: 'IONOS',
    suffixes: ['ionos.de', 'ionos.com', 'ionos.co.uk', 'kundenserver.de'],
    acceptsAllRcpt: false,
    notes: 'Hosted domains; catch-all is a per-domain customer setting.',
  },
  {
    // OVHcloud hosted mail: mx1.mail.ovh.net, mx0.mail.ovh.net, mx4.mail.ovh.net.
    id: 'ovh',
    name: 'OVHcloud',
    suffixes: ['ovh.net'],
    acceptsAllRcpt: false,
    notes: 'Hosted domains; catch-all (redirect) is a per-domain customer setting.',
  },
  {
    // Rackspace Email: mx1.emailsrvr.com, mx2.emailsrvr.com.
    id: 'rackspace',
    name: 'Rackspace Email',
    suffixes: ['emailsrvr.com'],
    acceptsAllRcpt: false,
    notes: 'Hosted domains; catch-all is a per-domain customer setting.',
  },
  {
    // GoDaddy Workspace email: mx0.secureserver.net, mx1.secureserver.net, smtp.secureserver.net.
    id: 'godaddy',
    name: 'GoDaddy',
    suffixes: ['secureserver.net'],
    acceptsAllRcpt: false,
    notes: 'Hosted domains; many now route to Microsoft 365 instead.',
  },
  {
    // QQ Mail / Tencent Exmail: mx1.qq.com, mx3.qq.com, mxbiz1.qq.com, mxbiz2.qq.com.
    id: 'qq',
    name: 'Tencent QQ Mail',
    suffixes: ['qq.com'],
    acceptsAllRcpt: false,
    notes: 'Rejects unknown mailboxes at RCPT; strict about sender reputation.',
  },
  {
    // Naver Mail: mx1.naver.com … mx3.naver.com.
    id: 'naver',
    name: 'Naver Mail',
    suffixes: ['naver.com'],
    acceptsAllRcpt: false,
    notes: 'Rejects unknown mailboxes at RCPT.',
  },
  {
    // Seznam.cz: mx1.seznam.cz, mx2.seznam.cz.
    id: 'seznam',
    name: 'Seznam.cz',
    suffixes: ['seznam.cz'],
    acceptsAllRcpt: false,
    notes: 'Rejects unknown mailboxes at RCPT.',
  },
  {
    // Tuta (Tutanota): mail.tutanota.de.
    id: 'tutanota',
    name: 'Tuta',
    suffixes: ['tutanota.de'],
    acceptsAllRcpt: false,
    notes: 'Rejects unknown mailboxes at RCPT.',
  },
  {
    // Cloudflare Email Routing: route1/route2/route3.mx.cloudflare.net.
    id: 'cloudflare',
    name: 'Cloudflare Email Routing',
    suffixes: ['mx.cloudflare.net'],
    acceptsAllRcpt: false,
    notes:
      'A forwarding service: accepts only configured addresses unless the domain has a catch-all rule; the final mailbox is elsewhere.',
  },
];

// Suffix → provider. Lookup walks a host's labels from the longest suffix to
// the shortest, so cost is O(labels) whatever the table size.
const BY_SUFFIX = new Map<string, ProviderInfo>();
for (const { suffixes, ...info } of PROVIDERS) {
  const frozen = Object.freeze(info);
  for (const suffix of suffixes) {
    if (BY_SUFFIX.has(suffix)) throw new Error(`provider suffix ${suffix} listed twice`);
    BY_SUFFIX.set(suffix, frozen);
  }
}

/** Every provider mailvet recognises (for docs and tests). */
export const KNOWN_PROVIDERS: readonly ProviderInfo[] = Object.freeze([
  ...new Set(BY_SUFFIX.values()),
]);

/** Longest hosts we bother matching; an MX name cannot exceed 253 characters (RFC 1035). */
const MAX_HOST_LENGTH = 253;

function recogniseHost(host: string): ProviderInfo | null {
  if (typeof host !== 'string' || host.length === 0 || host.length > MAX_HOST_LENGTH + 1) {
    return null;
  }
  let name = host.toLowerCase();
  if (name.endsWith('.')) name = name.slice(0, -1);
  let at = 0;
  while (at !== -1 && at < name.length) {
    const found = BY_SUFFIX.get(at === 0 ? name : name.slice(at));
    if (found) return found;
    const dot = name.indexOf('.', at);
    at = dot === -1 ? -1 : dot + 1;
  }
  return null;
}

/**
 * The provider behind a domain's MX hosts, judged on the hosts in the order
 * given (preference order): the first recognised host decides. Matching is on
 * whole labels, case-insensitive, trailing dot ignored; `notgoogle.com` is not
 * Google. Returns null when no host is recognised.
 */
export function recogniseProvider(mxHosts: readonly string[]): ProviderInfo | null {
  for (const host of mxHosts) {
    const found = recogniseHost(host);
    if (found) return found;
  }
  return null;
}
