import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { domainToASCII } from 'node:url';
import { ConfigError } from '../../errors.js';

/** Largest allow/deny file read; bigger is almost certainly the wrong file. */
export const MAX_USER_LIST_FILE_BYTES = 64 * 1024 * 1024;
/** Read size while loading a list file. */
const READ_CHUNK_BYTES = 1024 * 1024;
/** Longest entry: a whole address is at most 254 octets (RFC 5321 path limit). */
export const MAX_USER_LIST_ENTRY_LENGTH = 254;
/** Longest local part (RFC 5321 §4.5.3.1.1). */
const MAX_LOCAL_PART_LENGTH = 64;
/** Longest domain name and label (RFC 1035). */
const MAX_DOMAIN_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;
/** Bad entries listed in one error before the rest are only counted. */
export const MAX_REPORTED_ENTRY_ERRORS = 20;

/** A parsed allow or deny list, in the forms `check` looks up. */
export interface UserList {
  /** Domains in lower-case A-label form; subdomains match too. */
  readonly domains: Set<string>;
  /** `localPart@asciiDomain`: local part as written (NFC), domain lower-case A-label. */
  readonly addresses: Set<string>;
}

/** Where an entry came from, for error messages. */
interface EntrySource {
  /** e.g. `allow list file /etc/mailvet/allow.txt` or `deny option`. */
  what: string;
  /** e.g. `line` or `item`. */
  unit: string;
}

/** An empty list, to merge files and inline arrays into. */
export function emptyUserList(): UserList {
  return { domains: new Set(), addresses: new Set() };
}

/**
 * Read an allow/deny file: one domain or address per line; `#` starts a
 * comment (at the start of a line, or after whitespace — `#` is legal inside
 * a local part); blank lines are ignored. Every bad line is reported, with its
 * number, in one ConfigError; nothing is half-loaded.
 */
export function loadUserListFile(path: string, kind: 'allow' | 'deny', into: UserList): void {
  const text = readListFile(path, kind);
  const lines = text.split('\n');
  if (lines.length > 0) lines[0] = lines[0].replace(/^\uFEFF/, '');
  addEntries(lines, { what: `${kind} list file ${path}`, unit: 'line' }, into, true);
}

/** Add inline entries (`allow` / `deny` options); same syntax as a file line, minus comments. */
export function addUserListEntries(
  entries: readonly string[],
  kind: 'allow' | 'deny',
  into: UserList,
): void {
  addEntries(entries, { what: `${kind} option`, unit: 'item' }, into, false);
}

function readListFile(path: string, kind: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new ConfigError(`Cannot read ${kind} list file ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  try {
    const tooBig = (size: string): never => {
      throw new ConfigError(
        `${kind} list file ${path} is ${size} bytes; the limit is ${MAX_USER_LIST_FILE_BYTES}`,
      );
    };
    const { size } = fstatSync(fd);
    if (size > MAX_USER_LIST_FILE_BYTES) tooBig(String(size));
    // The size check alone trusts fstat; devices and FIFOs (`/dev/zero`) report
    // 0, so the read itself stops at the cap too.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(READ_CHUNK_BYTES);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > MAX_USER_LIST_FILE_BYTES) tooBig(`more than ${MAX_USER_LIST_FILE_BYTES}`);
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`Cannot read ${kind} list file ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  } finally {
    closeSync(fd);
  }
}

function addEntries(
  raw: readonly string[],
  source: EntrySource,
  into: UserList,
  comments: boolean,
): void {
  const problems: string[] = [];
  let problemCount = 0;
  const parsed: Array<{ kind: 'domain' | 'address'; key: string }> = [];
  raw.forEach((value, index) => {
    const entry = comments ? stripComment(value) : value.trim();
    if (entry === '') return;
    const result = parseEntry(entry);
    if (!result.ok) {
      problemCount++;
      if (problems.length < MAX_REPORTED_ENTRY_ERRORS) {
        const where = source.unit === 'line' ? `line ${index + 1}` : `item ${index}`;
        problems.push(`  ${where}: ${result.reason}: ${JSON.stringify(truncate(entry))}`);
      }
      return;
    }
    parsed.push(result.value);
  });
  if (problemCount > 0) {
    const more =
      problemCount > problems.length ? `\n  …and ${problemCount - problems.length} more` : '';
    throw new ConfigError(
      `Invalid ${source.what} (${problemCount} bad ${source.unit}${problemCount === 1 ? '' : 's'}):\n` +
        problems.join('\n') +
        more,
    );
  }
  for (const { kind, key } of parsed) (kind === 'domain' ? into.domains : into.addresses).add(key);
}

function stripComment(line: string): string {
  const trimmed = line.trim();
  if (trimmed.startsWith('#')) return '';
  const comment = trimmed.search(/\s#/);
  return comment < 0 ? trimmed : trimmed.slice(0, comment).trim();
}

function truncate(entry: string): string {
  return entry.length > 80 ? `${entry.slice(0, 80)}…` : entry;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** A lookup key, or a reason the entry is bad. */
function parseEntry(entry: string): Parsed<{ kind: 'domain' | 'address'; key: string }> {
  if (entry.length > MAX_USER_LIST_ENTRY_LENGTH) {
    return bad(`longer than ${MAX_USER_LIST_ENTRY_LENGTH} characters`);
  }
  if (/[\s\x00-\x1f\x7f]/.test(entry)) return bad('contains whitespace or a control character');
  const at = entry.lastIndexOf('@');
  if (at < 0) {
    const domain = normalizeDomain(entry);
    return domain.ok ? { ok: true, value: { kind: 'domain', key: domain.value } } : domain;
  }
  if (at === 0) return bad('starts with "@"; write the domain without it (subdomains match too)');
  const local = entry.slice(0, at).normalize('NFC');
  if (Buffer.byteLength(local, 'utf8') > MAX_LOCAL_PART_LENGTH) {
    return bad(`local part longer than ${MAX_LOCAL_PART_LENGTH} octets`);
  }
  const domain = normalizeDomain(entry.slice(at + 1));
  if (!domain.ok) return domain;
  return { ok: true, value: { kind: 'address', key: `${local}@${domain.value}` } };
}

/** Lower-case A-label form of a host name (IDNs accepted in either form). */
function normalizeDomain(input: string): Parsed<string> {
  if (input === '') return bad('missing domain after "@"');
  if (input.startsWith('[')) return bad('address literals are not supported; list a domain');
  if (input.startsWith('*.')) {
    return bad('wildcards are not needed: list the domain and its subdomains match too');
  }
  const withoutRoot = input.endsWith('.') ? input.slice(0, -1) : input;
  const ascii = domainToASCII(withoutRoot);
  if (ascii === '') return bad('not a valid domain name');
  if (ascii.length > MAX_DOMAIN_LENGTH)
    return bad(`domain longer than ${MAX_DOMAIN_LENGTH} characters`);
  for (const label of ascii.split('.')) {
    if (label === '') return bad('empty label in domain');
    if (label.length > MAX_LABEL_LENGTH)
      return bad(`label longer than ${MAX_LABEL_LENGTH} characters`);
    if (!LABEL.test(label))
      return bad('domain labels may hold only letters, digits and inner hyphens');
  }
  return { ok: true, value: ascii };
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

function bad(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}
