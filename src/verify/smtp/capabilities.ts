import type { SmtpReply } from './smtp-reply.js';

/** What the server advertised in its EHLO reply (HELO: nothing). */
export interface Capabilities {
  /** True when EHLO succeeded (false after a HELO fallback). */
  esmtp: boolean;
  /** RFC 2920 */
  pipelining: boolean;
  /** RFC 6531 */
  smtputf8: boolean;
  /** RFC 3207; false once TLS is active (servers stop advertising it). */
  starttls: boolean;
  /** RFC 1870 SIZE limit in bytes; null when absent or 0 (no limit given). */
  size: number | null;
  /** RFC 9422 `LIMITS RCPTMAX=n`: recipients per transaction; null when absent. */
  rcptMax: number | null;
  /** Extension lines as sent (after the greeting line), for logs and debugging. */
  raw: string[];
}

/** Limits from RFC 9422 values are clamped to this to keep arithmetic sane. */
const MAX_LIMIT_VALUE = 1_000_000_000;

/** Capabilities of a HELO-only (pre-ESMTP) server. */
export const NO_CAPABILITIES: Readonly<Capabilities> = Object.freeze({
  esmtp: false,
  pipelining: false,
  smtputf8: false,
  starttls: false,
  size: null,
  rcptMax: null,
  raw: [],
});

/** Parse a 250 EHLO reply. The first line is the greeting, the rest are extensions. */
export function parseCapabilities(reply: SmtpReply): Capabilities {
  const caps: Capabilities = { ...NO_CAPABILITIES, esmtp: true, raw: reply.lines.slice(1) };
  for (const line of caps.raw) {
    const [keyword = '', ...params] = line.trim().split(/\s+/);
    switch (keyword.toUpperCase()) {
      case 'PIPELINING':
        caps.pipelining = true;
        break;
      case 'SMTPUTF8':
        caps.smtputf8 = true;
        break;
      case 'STARTTLS':
        caps.starttls = true;
        break;
      case 'SIZE': {
        const size = positiveInt(params[0]);
        caps.size = size;
        break;
      }
      case 'LIMITS':
        // RFC 9422 §3: space-separated NAME=value pairs; unknown names are ignored.
        for (const param of params) {
          const [name, value] = param.split('=', 2);
          if (name?.toUpperCase() === 'RCPTMAX') caps.rcptMax = positiveInt(value);
        }
        break;
    }
  }
  return caps;
}

function positiveInt(text: string | undefined): number | null {
  if (text === undefined || !/^[0-9]{1,12}$/.test(text)) return null;
  const n = Number(text);
  return n > 0 ? Math.min(n, MAX_LIMIT_VALUE) : null;
}
