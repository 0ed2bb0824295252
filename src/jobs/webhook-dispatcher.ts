import type { Kysely } from 'kysely';
import type { Database, EpochMs } from '../store/schema.js';
import type { JobsConfig } from './jobs-config.js';
import type { JobService } from './job-service.js';
import { deliverWebhook, type DeliveryOutcome } from './webhook-sender.js';
import { SIGNATURE_HEADER, signWebhook } from './webhook-signature.js';

/** First retry delay; doubles per attempt. */
export const WEBHOOK_BACKOFF_BASE_MS = 1000;
/** Longest wait between two attempts. */
export const WEBHOOK_BACKOFF_MAX_MS = 3_600_000;
/** Longest error text kept on the job. */
const MAX_ERROR_LENGTH = 300;

export interface WebhookDispatchOptions {
  db: Kysely<Database>;
  jobs: JobsConfig;
  service: JobService;
  now?: () => EpochMs;
  /** Replaceable for tests of the retry schedule; defaults to a real HTTP POST. */
  deliver?: (d: Parameters<typeof deliverWebhook>[0]) => Promise<DeliveryOutcome>;
}

/** Delay before attempt `attempts + 1`: 1 s, 2 s, 4 s … capped at 1 h. */
export function webhookBackoffMs(attempts: number): number {
  return Math.min(WEBHOOK_BACKOFF_MAX_MS, WEBHOOK_BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
}

/**
 * Deliver due completion webhooks, one job at a time. A worker first takes a
 * short lease on the job row (an UPDATE that only one process can win), so
 * several workers never send the same attempt twice; a worker dying
 * mid-delivery only delays the attempt until the lease ends. Receivers must
 * still treat deliveries as at-least-once (the job id is the dedupe key).
 * Returns how many deliveries were attempted.
 */
export async function dispatchDueWebhooks(o: WebhookDispatchOptions): Promise<number> {
  const now = o.now ?? Date.now;
  const deliver = o.deliver ?? deliverWebhook;
  let attempted = 0;
  for (;;) {
    const t = now();
    const due = await o.db
      .selectFrom('jobs')
      .select(['id'])
      .where('webhook_state', '=', 'pending')
      .where('webhook_next_at', '<=', t)
      .where((eb) =>
        eb.or([eb('webhook_lease_until', 'is', null), eb('webhook_lease_until', '<', t)]),
      )
      .limit(1)
      .executeTakeFirst();
    if (!due) return attempted;
    const won = await o.db
      .updateTable('jobs')
      .set({ webhook_lease_until: t + o.jobs.webhookTimeoutMs * 2 })
      .where('id', '=', due.id)
      .where('webhook_state', '=', 'pending')
      .where((eb) =>
        eb.or([eb('webhook_lease_until', 'is', null), eb('webhook_lease_until', '<', t)]),
      )
      .returning(['owner', 'webhook_url', 'webhook_secret', 'webhook_attempts'])
      .executeTakeFirst();
    if (!won || won.webhook_url === null) continue;
    const secret = won.webhook_secret ?? o.jobs.webhookSecret;
    const job = await o.service.get(won.owner, due.id);
    const body = JSON.stringify({ type: 'job.completed', job });
    const sentAt = Math.floor(now() / 1000);
    const headers: Record<string, string> = { 'mailvet-job-id': due.id };
    if (secret) headers[SIGNATURE_HEADER] = signWebhook(secret, body, sentAt);
    const outcome = await deliver({
      url: won.webhook_url,
      body,
      headers,
      timeoutMs: o.jobs.webhookTimeoutMs,
      allowPrivate: o.jobs.webhookAllowPrivate,
    });
    attempted++;
    const attempts = won.webhook_attempts + 1;
    const final = outcome.ok || attempts >= o.jobs.webhookMaxAttempts;
    await o.db
      .updateTable('jobs')
      .set({
        webhook_state: outcome.ok ? 'delivered' : final ? 'failed' : 'pending',
        webhook_attempts: attempts,
        webhook_next_at: final ? null : now() + webhookBackoffMs(attempts),
        webhook_lease_until: null,
        webhook_last_error: outcome.ok ? null : outcome.error.slice(0, MAX_ERROR_LENGTH),
      })
      .where('id', '=', due.id)
      .execute();
  }
}
