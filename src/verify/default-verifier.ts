import type { MailvetConfig } from '../config-types.js';
import { canonicalize, parseAddress } from './syntax/index.js';
import { createLists } from './lists/index.js';
import { createMailResolver } from './dns/index.js';
import { createSmtpProber } from './smtp/prober.js';
import { createSocketFactory } from './smtp/connect.js';
import { recogniseProvider } from './smtp/providers.js';
import { createVerifier } from './verifier.js';
import type { Verifier } from './verifier-types.js';

/**
 * Wire the engine's default parts from the one config: the real resolver,
 * the bundled lists, and (when SMTP is on) the pooled prober behind the
 * SSRF-checking socket factory. CLI, server and workers all start here.
 */
export function createDefaultVerifier(config: MailvetConfig): Verifier {
  const resolver = createMailResolver({
    servers: [...config.dns.servers],
    timeoutMs: config.dns.timeoutMs,
    tries: config.dns.tries,
    minTtlSeconds: config.dns.minTtlSeconds,
    maxTtlSeconds: config.dns.maxTtlSeconds,
    negativeTtlSeconds: config.dns.negativeTtlSeconds,
  });
  const lists = createLists({ allowFile: config.lists.allowFile, denyFile: config.lists.denyFile });
  const prober = config.smtp.enabled
    ? createSmtpProber({
        heloName: config.smtp.heloName,
        mailFrom: config.smtp.mailFrom,
        port: config.smtp.port,
        connect: createSocketFactory({
          allowPrivate: config.smtp.allowPrivateMx,
          sourceAddress: config.smtp.sourceAddress,
          proxy: config.smtp.proxy,
          connectTimeoutMs: config.smtp.connectTimeoutMs,
        }),
        maxSessionsPerHost: config.smtp.maxSessionsPerHost,
        maxRecipientsPerTransaction: config.smtp.maxRecipientsPerSession,
        greylistBudgetMs: config.smtp.greylistBudgetMs,
        recogniseProvider,
        starttls: config.smtp.starttls,
        sessionTimeouts: {
          connectMs: config.smtp.connectTimeoutMs,
          bannerMs: config.smtp.commandTimeoutMs,
          ehloMs: config.smtp.commandTimeoutMs,
          starttlsMs: config.smtp.commandTimeoutMs,
          mailMs: config.smtp.commandTimeoutMs,
          rcptMs: config.smtp.commandTimeoutMs,
          rsetMs: config.smtp.commandTimeoutMs,
          quitMs: config.smtp.commandTimeoutMs,
        },
      })
    : null;
  return createVerifier(
    { parse: parseAddress, canonicalize, lists, resolver, prober, recogniseProvider },
    {
      smtp: config.smtp.enabled,
      policy: config.policy,
      timeoutMs: config.timeoutMs,
      concurrency: config.concurrency,
    },
  );
}
