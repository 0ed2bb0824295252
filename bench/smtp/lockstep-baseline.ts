import {
  ehloCommand,
  heloCommand,
  mailCommand,
  quitCommand,
  rcptCommand,
} from '../../src/verify/smtp/command.js';
import { randomLocalPart } from '../../src/verify/smtp/prober.js';
import { classifyRcptReply, classifySessionReply } from '../../src/verify/smtp/reply-classifier.js';
import type { SmtpReply } from '../../src/verify/smtp/smtp-reply.js';
import type { SocketFactory } from '../../src/verify/smtp/socket-factory.js';
import { catchAllFrom, type BenchVerdict } from './bench-verdict.js';
import { LockstepConnection } from './lockstep-connection.js';
import type { BenchItem } from './world.js';

/** Connect attempts give up after this (the peers are on loopback). */
export const LOCKSTEP_CONNECT_TIMEOUT_MS = 10_000;

export interface LockstepBaselineOptions {
  /** Addresses verified at once (one connection each): the global concurrency. */
  concurrency: number;
  connect: SocketFactory;
  heloName: string;
  mailFrom: string;
  port?: number;
}

/**
 * What open-source verifiers do (design.md §4, k·(S + 2 + p)): for every
 * address a fresh connection — banner, EHLO, MAIL FROM, RCPT TO the address,
 * RCPT TO a random local part (catch-all), QUIT — each command written alone
 * and its reply awaited. Replies go through mailvet's classifier so the
 * verdicts can be compared with mailvet's one for one.
 */
export async function runLockstepBaseline(
  items: readonly BenchItem[],
  options: LockstepBaselineOptions,
): Promise<BenchVerdict[]> {
  const verdicts: BenchVerdict[] = new Array(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const index = next++;
      verdicts[index] = await verifyOne(items[index], options).catch((err: Error) => ({
        outcome: `error: ${err.message}`,
        catchAll: null,
      }));
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return verdicts;
}

async function verifyOne(item: BenchItem, o: LockstepBaselineOptions): Promise<BenchVerdict> {
  const socket = await o.connect({
    host: item.hosts[0].addresses[0],
    port: o.port ?? 25,
    signal: AbortSignal.timeout(LOCKSTEP_CONNECT_TIMEOUT_MS),
  });
  const conn = new LockstepConnection(socket);
  try {
    const refused = (reply: SmtpReply): BenchVerdict => ({
      outcome: classifySessionReply(reply),
      catchAll: null,
    });
    const banner = await conn.read();
    if (!ok(banner)) return refused(banner);
    let hello = await conn.send(ehloCommand(o.heloName));
    if (!ok(hello)) hello = await conn.send(heloCommand(o.heloName));
    if (!ok(hello)) return refused(hello);
    const mail = await conn.send(mailCommand(o.mailFrom));
    if (!ok(mail)) return refused(mail);
    const rcpt = await conn.send(rcptCommand(item.email));
    const probe = await conn.send(rcptCommand(`${randomLocalPart()}@${item.domain}`));
    // Like SmtpSession.quit(): wait for the 221, but its answer changes nothing.
    await conn.send(quitCommand()).catch(() => {});
    return { outcome: classifyRcptReply(rcpt), catchAll: catchAllFrom(classifyRcptReply(probe)) };
  } finally {
    conn.destroy();
  }
}

function ok(reply: SmtpReply): boolean {
  return reply.code >= 200 && reply.code < 300;
}
