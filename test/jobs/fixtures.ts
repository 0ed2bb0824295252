import { defaultConfig } from '../../src/config.js';
import type { Selectable } from 'kysely';
import type { JobsConfig } from '../../src/jobs/jobs-config.js';
import type { JobsTable } from '../../src/jobs/job-tables.js';
import type { VerificationResult } from '../../src/verify/result.js';

/** The jobs config with test overrides. */
export function testJobsConfig(overrides: Partial<JobsConfig> = {}): JobsConfig {
  return { ...defaultConfig().jobs, ...overrides };
}

/** A whole `jobs` row (an importing job without webhook) with overrides, for inserts and views. */
export function jobRow(overrides: Partial<Selectable<JobsTable>> = {}): Selectable<JobsTable> {
  return {
    id: 'job_x',
    owner: 'o',
    created_by: null,
    state: 'importing',
    options: '{}',
    idempotency_key: null,
    columns: '[]',
    email_column: 0,
    total_items: 0,
    error: null,
    webhook_url: null,
    webhook_secret: null,
    webhook_state: 'none',
    webhook_attempts: 0,
    webhook_next_at: null,
    webhook_lease_until: null,
    webhook_last_error: null,
    created_at: 0,
    import_heartbeat_at: null,
    started_at: null,
    finished_at: null,
    ...overrides,
  };
}

/** A minimal, valid result for queue tests (the engine is not under test there). */
export function fakeResult(
  email: string,
  extra: Partial<VerificationResult> = {},
): VerificationResult {
  return {
    email,
    normalized: email.toLowerCase(),
    status: 'deliverable',
    reason: 'accepted',
    flags: { disposable: false, role: false, free: false, catchAll: false },
    suggestion: null,
    provider: null,
    syntax: {
      valid: true,
      localPart: email.split('@')[0] ?? null,
      domain: email.split('@')[1] ?? null,
      asciiDomain: email.split('@')[1] ?? null,
      smtputf8: false,
      canonical: null,
    },
    dns: { mx: [], implicitMx: false, nullMx: false },
    smtp: {
      checked: false,
      mxHost: null,
      code: null,
      enhancedCode: null,
      message: null,
      tls: false,
      attempts: 0,
    },
    retryable: false,
    checkedAt: new Date(0).toISOString(),
    durationMs: 1,
    ...extra,
  };
}

/** Drain an async iterable of text chunks into one string. */
export async function collect(chunks: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const c of chunks) out += c;
  return out;
}
