import { randomBytes } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** 22 base62 characters ≈ 131 bits: not guessable, not enumerable. */
export const JOB_ID_LENGTH = 22;
export const JOB_ID_PATTERN = /^job_[0-9A-Za-z]{22}$/;

/** Uniform base62 by rejection sampling (bytes >= 248 are dropped, so no modulo bias). */
function randomBase62(n: number): string {
  let out = '';
  while (out.length < n) {
    for (const b of randomBytes(n * 2)) {
      if (b < 248 && out.length < n) out += BASE62[b % 62];
    }
  }
  return out;
}

export function newJobId(): string {
  return 'job_' + randomBase62(JOB_ID_LENGTH);
}

/** Per-job webhook signing secret, shown once at creation. */
export function newWebhookSecret(): string {
  return 'whsec_' + randomBytes(24).toString('base64url');
}

/** Identifies one claim loop in lease_owner: host, pid and a random suffix. */
export function newWorkerId(host: string): string {
  return `${host}:${process.pid}:${randomBase62(8)}`;
}
