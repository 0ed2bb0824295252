import type { Capabilities } from './capabilities.js';
import type { CommandVerb } from './command.js';

/**
 * Every rule deciding whether commands may share one write (RFC 2920), in one
 * place (compare undici's `busy()` in client-h1.js). `null` capabilities mean
 * "no EHLO reply yet".
 */
export function canPipeline(verbs: readonly CommandVerb[], caps: Capabilities | null): boolean {
  // A single command is always one write: nothing to decide.
  if (verbs.length <= 1) return true;
  // Before the greeting and EHLO reply we do not know whether PIPELINING is
  // offered; talking early also trips "pregreet" traps (Postfix postscreen).
  if (caps === null) return false;
  // Only an EHLO answer that advertised PIPELINING allows groups. After
  // STARTTLS the pre-TLS EHLO no longer counts (RFC 3207 §4.2): `caps` is
  // always the latest EHLO's, so a server dropping PIPELINING under TLS is obeyed.
  if (!caps.pipelining) return false;
  return verbs.every((verb, i) => {
    switch (verb) {
      // RFC 2920 §3.1: EHLO/HELO change the session state; the group ends there
      // and we must read the new capabilities before anything else.
      case 'EHLO':
      case 'HELO':
        return false;
      // RFC 3207 §4.2 / RFC 2920 §3.1: everything after STARTTLS must wait for
      // the handshake; a server must discard it (STARTTLS command injection).
      case 'STARTTLS':
        return false;
      // QUIT may end a group (RFC 2920 §3.1), never sit inside one.
      case 'QUIT':
        return i === verbs.length - 1;
      // The transaction commands RFC 2920 §3.1 lists as groupable.
      case 'MAIL':
      case 'RCPT':
      case 'RSET':
      case 'NOOP':
        return true;
    }
  });
}
