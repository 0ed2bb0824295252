import { classifyRcptReply } from '../../src/verify/smtp/reply-classifier.js';
import { SmtpSession } from '../../src/verify/smtp/session.js';
import type { SocketFactory } from '../../src/verify/smtp/socket-factory.js';
import type { BenchItem } from './world.js';

/** A verdict reduced to what both engines must agree on. */
export interface BenchVerdict {
  outcome: string;
  catchAll: boolean | null;
}

/**
 * What open-source verifiers do: one connection per address — connect,
 * EHLO, MAIL, RCPT (plus the catch-all RCPT in the same transaction), QUIT —
 * with `concurrency` connections at a time. Same SmtpSession as mailvet, so
 * the difference measured is pooling and batching alone.
 */
export async function runBaseline(
  items: BenchItem[],
  options: { concurrency: number; connect: SocketFactory; heloName: string; mailFrom: string },
): Promise<BenchVerdict[]> {
  const verdicts: BenchVerdict[] = new Array(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const index = next++;
      const item = items[index];
      const random = `mv-${index.toString(16).padStart(16, '0')}@${item.domain}`;
      try {
        const session = await SmtpSession.open({
          host: item.hosts[0].addresses[0],
          port: 25,
          heloName: options.heloName,
          connect: options.connect,
        });
        const { recipients } = await session.transaction(options.mailFrom, [random, item.email]);
        await session.quit();
        const probe = classifyRcptReply(recipients[0]);
        verdicts[index] = {
          outcome: classifyRcptReply(recipients[1]),
          catchAll:
            probe === 'accepted'
              ? true
              : probe === 'mailbox_not_found' || probe === 'mailbox_disabled'
                ? false
                : null,
        };
      } catch (err) {
        verdicts[index] = { outcome: `error: ${(err as Error).message}`, catchAll: null };
      }
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return verdicts;
}
