import { defaultConfig } from '../../src/config.js';
import type { JobsConfig } from '../../src/jobs/jobs-config.js';
import type { VerificationResult } from '../../src/verify/result.js';

/** The jobs config with test overrides. */
export function testJobsConfig(overrides: Partial<JobsConfig> = {}): JobsConfig {
  return { ...defaultConfig().jobs, ...overrides };
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
