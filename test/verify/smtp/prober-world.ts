import type { MailHost } from '../../../src/verify/dns/mail-route.js';
import { createSocketFactory } from '../../../src/verify/smtp/connect.js';
import type { SocketFactory } from '../../../src/verify/smtp/socket-factory.js';
import type { ParsedAddress } from '../../../src/verify/syntax/parsed-address.js';
import { startSmtpPeer, type SmtpPeer, type SmtpPeerBehaviour } from '../../world/smtp-peer.js';

/** Small per-phase timeouts so dead peers fail fast; no test asserts a duration. */
export const FAST_TIMEOUTS = {
  connectMs: 500,
  bannerMs: 500,
  ehloMs: 500,
  starttlsMs: 500,
  mailMs: 500,
  rcptMs: 500,
  rsetMs: 500,
  quitMs: 300,
};

/** The real socket factory, with the SSRF guard turned off explicitly for loopback peers. */
export const loopbackConnect: SocketFactory = createSocketFactory({
  allowPrivate: true,
  connectTimeoutMs: FAST_TIMEOUTS.connectMs,
});

export function address(email: string, smtputf8 = false): ParsedAddress {
  const at = email.lastIndexOf('@');
  const localPart = email.slice(0, at);
  const domain = email.slice(at + 1).toLowerCase();
  return {
    input: email,
    localPart,
    domain,
    asciiDomain: domain,
    addressLiteral: null,
    normalized: `${localPart}@${domain}`,
    smtputf8,
  };
}

export function mx(exchange: string, preference: number, ...addresses: string[]): MailHost {
  return { exchange, preference, addresses };
}

/** Starts peers and closes every one of them at the end of a test. */
export class PeerSet {
  readonly peers: SmtpPeer[] = [];
  async start(host: string, behaviour: SmtpPeerBehaviour = {}): Promise<SmtpPeer> {
    const peer = await startSmtpPeer({ host, ...behaviour });
    this.peers.push(peer);
    return peer;
  }
  async close(): Promise<void> {
    await Promise.all(this.peers.splice(0).map((p) => p.close()));
  }
}
