import diagnostics_channel from 'node:diagnostics_channel';

/**
 * Every diagnostics channel mailvet publishes on, declared once. The engine
 * publishes (cheaply: `hasSubscribers` is checked first); logging and metrics
 * subscribe. Message shapes are documented beside each channel.
 */
export const channels = {
  /** { hit: boolean, kind: 'positive' | 'negative' } */
  dnsCache: diagnostics_channel.channel('mailvet:dns:cache'),
  /** { seconds: number, rcode: string } — one upstream DNS query. */
  dnsQuery: diagnostics_channel.channel('mailvet:dns:query'),
  /** { reused: boolean, host: string } — a session handed out by a pool. */
  smtpSession: diagnostics_channel.channel('mailvet:smtp:session'),
  /** { recipients: number } — recipients sent in one transaction. */
  smtpTransaction: diagnostics_channel.channel('mailvet:smtp:transaction'),
  /** { command: string, replyClass: '2xx' | '3xx' | '4xx' | '5xx' | 'none' } */
  smtpReply: diagnostics_channel.channel('mailvet:smtp:reply'),
  /** { seconds: number } — time a request waited for a pooled session. */
  smtpPoolWait: diagnostics_channel.channel('mailvet:smtp:pool-wait'),
  /** { from: string, to: string } — circuit breaker state change (no host in labels). */
  smtpBreaker: diagnostics_channel.channel('mailvet:smtp:breaker'),
  /** { step: 'syntax' | 'dns' | 'smtp' | 'catch_all', seconds: number } */
  verifyStep: diagnostics_channel.channel('mailvet:verify:step'),
  /** { status: string, reason: string } — one finished verification. */
  verifyResult: diagnostics_channel.channel('mailvet:verify:result'),
} as const;

export type ChannelName = keyof typeof channels;

/** Publish only when someone listens, so the hot path pays nothing otherwise. */
export function publish(name: ChannelName, message: object): void {
  const ch = channels[name];
  if (ch.hasSubscribers) ch.publish(message);
}
