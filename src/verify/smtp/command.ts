import { InvalidArgumentError } from '../../errors.js';

/** The commands a verifying session ever sends; DATA is never among them. */
export type CommandVerb = 'EHLO' | 'HELO' | 'STARTTLS' | 'MAIL' | 'RCPT' | 'RSET' | 'NOOP' | 'QUIT';

/** One command ready for the wire. Only the builders below make these. */
export interface SmtpCommand {
  readonly verb: CommandVerb;
  /** The full line, CRLF included. */
  readonly line: string;
}

/** RFC 5321 §4.5.3.1.4: a command line is at most 512 octets, CRLF included. */
export const MAX_COMMAND_LINE_OCTETS = 512;
/** RFC 5321 §4.5.3.1.3: a path (`<…>`) is at most 256 octets. */
export const MAX_PATH_OCTETS = 256;
/** RFC 1035 §2.3.4: a domain name is at most 255 octets. */
export const MAX_HELO_NAME_OCTETS = 255;

/** C0, DEL and C1 controls, and the Unicode line/paragraph separators. */
const CONTROL = /[\x00-\x1f\x7f-\x9f\u2028\u2029]/;
/** Anything a line-oriented parser might take as a break or a field separator. */
const SPACE = /[\s\u200b\ufeff]/;
const NON_ASCII = /[^\x00-\x7f]/;
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HELO_DOMAIN = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);
// The `IPv6:` tag is an ABNF literal, so case-insensitive (RFC 5234 §2.3); the
// syntax layer lower-cases domains, so `[ipv6:…]` is what arrives here.
const ADDRESS_LITERAL = /^\[(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|IPv6:[0-9A-Fa-f:.]{2,45})\]$/i;

export function ehloCommand(name: string): SmtpCommand {
  return { verb: 'EHLO', line: finish(`EHLO ${heloName(name)}`) };
}

export function heloCommand(name: string): SmtpCommand {
  return { verb: 'HELO', line: finish(`HELO ${heloName(name)}`) };
}

export function starttlsCommand(): SmtpCommand {
  return { verb: 'STARTTLS', line: 'STARTTLS\r\n' };
}

export interface MailOptions {
  /** Add the SMTPUTF8 parameter (RFC 6531 §3.4) and allow non-ASCII paths. */
  smtputf8?: boolean;
}

/** `MAIL FROM:<from>`; an empty `from` is the null reverse-path `<>`. */
export function mailCommand(from: string, options: MailOptions = {}): SmtpCommand {
  const path = mailbox(from, { allowEmpty: true, utf8: options.smtputf8 === true });
  const params = options.smtputf8 ? ' SMTPUTF8' : '';
  return { verb: 'MAIL', line: finish(`MAIL FROM:${path}${params}`) };
}

/** `RCPT TO:<to>`; `utf8` must be true for a non-ASCII address (SMTPUTF8 transaction). */
export function rcptCommand(to: string, options: { utf8?: boolean } = {}): SmtpCommand {
  const path = mailbox(to, { allowEmpty: false, utf8: options.utf8 === true });
  return { verb: 'RCPT', line: finish(`RCPT TO:${path}`) };
}

export function rsetCommand(): SmtpCommand {
  return { verb: 'RSET', line: 'RSET\r\n' };
}

export function noopCommand(): SmtpCommand {
  return { verb: 'NOOP', line: 'NOOP\r\n' };
}

export function quitCommand(): SmtpCommand {
  return { verb: 'QUIT', line: 'QUIT\r\n' };
}

function refuse(what: string, value: string, why: string): never {
  throw new InvalidArgumentError(`unsafe SMTP ${what} ${JSON.stringify(value)}: ${why}`);
}

function heloName(name: string): string {
  if (typeof name !== 'string' || name.length === 0) refuse('HELO name', String(name), 'empty');
  if (CONTROL.test(name)) refuse('HELO name', name, 'contains a control character');
  if (Buffer.byteLength(name) > MAX_HELO_NAME_OCTETS) refuse('HELO name', name, 'too long');
  if (!HELO_DOMAIN.test(name) && !ADDRESS_LITERAL.test(name)) {
    refuse('HELO name', name, 'not a domain name or address literal');
  }
  return name;
}

/**
 * Validate a mailbox for use inside `<…>` and return the path. Refuses, before
 * anything is written: every control character (CR/LF/NUL included) anywhere;
 * whitespace, `<`, `>` and `"` outside a quoted local part; non-ASCII unless
 * SMTPUTF8; a missing `@`; over-long paths.
 */
function mailbox(address: string, opts: { allowEmpty: boolean; utf8: boolean }): string {
  if (typeof address !== 'string') refuse('address', String(address), 'not a string');
  if (address === '') {
    if (opts.allowEmpty) return '<>';
    refuse('address', address, 'empty');
  }
  if (CONTROL.test(address)) refuse('address', address, 'contains a control character');
  if (!opts.utf8 && NON_ASCII.test(address)) {
    refuse('address', address, 'non-ASCII without SMTPUTF8');
  }
  const at = localPartEnd(address);
  if (at <= 0 || address[at] !== '@') refuse('address', address, 'no local part before @');
  const domain = address.slice(at + 1);
  if (domain === '') refuse('address', address, 'empty domain');
  if (domain.startsWith('[')) {
    if (!ADDRESS_LITERAL.test(domain)) refuse('address', address, 'malformed address literal');
  } else if (SPACE.test(domain) || /[<>"@[\]\\]/.test(domain)) {
    refuse('address', address, 'forbidden character in domain');
  }
  const path = `<${address}>`;
  if (Buffer.byteLength(path) > MAX_PATH_OCTETS) refuse('address', address, 'path too long');
  return path;
}

/** Index of the `@` ending the local part; throws on unsafe local-part characters. */
function localPartEnd(address: string): number {
  if (!address.startsWith('"')) {
    const at = address.lastIndexOf('@');
    const local = address.slice(0, Math.max(at, 0));
    if (SPACE.test(local) || /[<>"]/.test(local)) {
      refuse('address', address, 'whitespace, <, > or " outside a quoted local part');
    }
    return at;
  }
  // Quoted local part (RFC 5321 qtextSMTP / quoted-pairSMTP): spaces are fine here.
  for (let i = 1; i < address.length; i++) {
    const c = address[i];
    if (c === '\\') {
      i++;
      if (i >= address.length) break;
    } else if (c === '"') {
      return i + 1;
    }
  }
  return refuse('address', address, 'unterminated quoted local part');
}

function finish(text: string): string {
  const line = `${text}\r\n`;
  if (Buffer.byteLength(line) > MAX_COMMAND_LINE_OCTETS) {
    refuse('command', text, `longer than ${MAX_COMMAND_LINE_OCTETS} octets`);
  }
  return line;
}
