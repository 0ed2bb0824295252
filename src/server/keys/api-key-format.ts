import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { crc32 } from './crc32.js';

/**
 * API key format: `mv_live_<body>_<check>`.
 *
 * - `mv_live_` is a fixed, distinctive prefix so secret scanners (GitHub
 *   push protection, gitleaks) can match leaked keys with one regex.
 * - `<body>` is KEY_BODY_LENGTH base62 characters from crypto.randomBytes
 *   (~238 bits). Its first LOOKUP_ID_LENGTH characters are the lookup id, stored
 *   in an indexed column, so authentication is one indexed query followed by
 *   one constant-time hash comparison — no scan over every key's hash.
 * - `<check>` is the CRC-32 of `mv_live_<body>` in 6 base62 characters (like
 *   GitHub's tokens): a mistyped or truncated key is rejected before any
 *   database work, and scanners can tell real keys from look-alikes offline.
 *
 * The stored hash is plain SHA-256, not bcrypt/scrypt/argon2: slow KDFs exist
 * to make guessing low-entropy passwords expensive, but a 238-bit random
 * secret cannot be guessed however fast the hash is — and a slow hash would
 * cost CPU on every API request. (The same reasoning GitHub and Stripe apply.)
 */
export const KEY_PREFIX = 'mv_live_';
export const KEY_BODY_LENGTH = 40;
export const LOOKUP_ID_LENGTH = 12;
export const CHECKSUM_LENGTH = 6;
/** Characters of a key shown in listings (`mv_live_AbCd1234…`); never the whole lookup id. */
export const DISPLAY_PREFIX_LENGTH = 8;
/** Anything longer is rejected before parsing (bounded work on hostile input). */
export const MAX_KEY_LENGTH = 128;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const KEY_PATTERN = /^mv_live_([0-9A-Za-z]{32,64})_([0-9A-Za-z]{6})$/;

/** `n` base62 characters, uniformly distributed (rejection sampling, no modulo bias). */
export function randomBase62(n: number): string {
  let out = '';
  while (out.length < n) {
    for (const byte of randomBytes(n * 2)) {
      // 248 = 4 * 62: bytes >= 248 would favour the first 8 characters.
      if (byte < 248) out += BASE62[byte % 62];
      if (out.length === n) break;
    }
  }
  return out;
}

function checksum(head: string): string {
  let value = crc32(head);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out; // 62^6 > 2^32, so every CRC fits
}

/** A fresh random key. */
export function generateApiKey(): string {
  const head = KEY_PREFIX + randomBase62(KEY_BODY_LENGTH);
  return `${head}_${checksum(head)}`;
}

/** Shape and checksum only — no database. Accepts any value; never throws. */
export function isWellFormedKey(key: unknown): key is string {
  if (typeof key !== 'string' || key.length > MAX_KEY_LENGTH) return false;
  const match = KEY_PATTERN.exec(key);
  return match !== null && checksum(KEY_PREFIX + match[1]) === match[2];
}

/** The indexed lookup id of a well-formed key. */
export function lookupIdOf(key: string): string {
  return key.slice(KEY_PREFIX.length, KEY_PREFIX.length + LOOKUP_ID_LENGTH);
}

/** What listings show of a key whose lookup id is given. */
export function displayPrefix(lookupId: string): string {
  return `${KEY_PREFIX}${lookupId.slice(0, DISPLAY_PREFIX_LENGTH)}…`;
}

/** SHA-256 of the whole key, hex (see the module comment for why not a KDF). */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex hashes. */
export function hashesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
