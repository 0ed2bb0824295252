const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \
const PLUS = 0x2b; // +
const HYPHEN = 0x2d; // -
const UNDERSCORE = 0x5f; // _
const DOT = 0x2e; // .

/**
 * The form a local part is compared in against the role-account list:
 * quotes and quoted-pair backslashes removed, everything from the first `+`
 * (sub-address tag) dropped, lower-cased, and the separators `-`, `_`, `.`
 * removed — so `Info+x`, `"info"`, `no-reply`, `no_reply`, `no.reply` and
 * `noreply` all compare equal to their list entry.
 *
 * One pass over the local part (at most 64 octets on the wire); no regex.
 */
export function roleKey(localPart: string): string {
  let start = 0;
  let end = localPart.length;
  const quoted =
    end >= 2 && localPart.charCodeAt(0) === QUOTE && localPart.charCodeAt(end - 1) === QUOTE;
  if (quoted) {
    start = 1;
    end -= 1;
  }
  let key = '';
  let runStart = start;
  for (let i = start; i < end; i++) {
    const c = localPart.charCodeAt(i);
    if (c === PLUS) {
      end = i;
      break;
    }
    if (c === HYPHEN || c === UNDERSCORE || c === DOT || (quoted && c === BACKSLASH)) {
      key += localPart.slice(runStart, i);
      // In a quoted string `\x` stands for `x`: keep the escaped character.
      if (c === BACKSLASH) i++;
      runStart = c === BACKSLASH ? i : i + 1;
    }
  }
  if (runStart < end) key += localPart.slice(runStart, end);
  return key.toLowerCase();
}
