import { randomLocalPart } from '../../src/verify/smtp/prober.js';
import { classifyRcptReply } from '../../src/verify/smtp/reply-classifier.js';
import { SmtpSession } from '../../src/verify/smtp/session.js';
import type { SocketFactory } from '../../src/verify/smtp/socket-factory.js';
import { catchAllFrom, type BenchVerdict } from './bench-verdict.js';
import type { BenchItem } from './world.js';

export interface PipelinedBaselineOptions {
  /** Addresses verified at once (one connection each): the global concurrency. */
  concurrency: number;
  connect: SocketFactory;
  heloName: string;
  mailFrom: string;
  port?: number;
}

/**
 * One connection per address, but through mailvet's own SmtpSession, which
 * pipelines MAIL + RCPT + catch-all RCPT in one write when the peer offers
 * PIPELINING: S + 1 = 4 round trips per address instead of the lockstep
 * baseline's 6. It isolates what pooling and batching alone buy mailvet.
 */
export async function runPipelinedBaseline(
  items: readonly BenchItem[],
  options: PipelinedBaselineOptions,
): Promise<BenchVerdict[]> {
  const verdicts: BenchVerdict[] = new Array(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const index = next++;
      const item = items[index];
      try {
        const session = await SmtpSession.open({
          host: item.hosts[0].addresses[0],
          port: options.port ?? 25,
          heloName: options.heloName,
          connect: options.connect,
        });
        let recipients;
        try {
          ({ recipients } = await session.transaction(options.mailFrom, [
            `${randomLocalPart()}@${item.domain}`,
            item.email,
          ]));
          await session.quit();
        } finally {
          session.destroy();
        }
        verdicts[index] = {
          outcome: classifyRcptReply(recipients[1]),
          catchAll: catchAllFrom(classifyRcptReply(recipients[0])),
        };
      } catch (err) {
        verdicts[index] = { outcome: `error: ${(err as Error).message}`, catchAll: null };
      }
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return verdicts;
}
