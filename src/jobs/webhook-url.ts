import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isPublicAddress } from '../verify/smtp/address-policy.js';
import { JobInputError } from './job-errors.js';

/** Longest webhook URL accepted. */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

/**
 * Refuse webhook URLs that could turn mailvet into a proxy into its own
 * network: http(s) only, no credentials, and every address the host resolves
 * to must be publicly routable (unless `allowPrivate`, for tests). Delivery
 * checks again at connect time (see webhook-sender.ts), so a DNS answer that
 * changes after creation gains nothing. Returns the checked addresses.
 */
export async function checkWebhookUrl(raw: string, allowPrivate: boolean): Promise<string[]> {
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) {
    throw new JobInputError(`webhook URL is longer than ${MAX_WEBHOOK_URL_LENGTH} characters`);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new JobInputError('webhook URL is not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new JobInputError('webhook URL must use https:// or http://');
  }
  if (url.username || url.password)
    throw new JobInputError('webhook URL must not hold credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      throw new JobInputError(`webhook host ${host} does not resolve`);
    }
  }
  if (!allowPrivate && addresses.some((a) => !isPublicAddress(a))) {
    throw new JobInputError('webhook URL points at a private, loopback or reserved address');
  }
  return addresses;
}
