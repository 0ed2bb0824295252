/** A mailbox that passed envelope (RFC 5321/6531) syntax checks. */
export interface ParsedAddress {
  /** The input exactly as given. */
  input: string;
  /** Local part as it goes on the wire (NFC; a quoted string keeps its quotes). */
  localPart: string;
  /** Domain in Unicode form, lower-cased, NFC; an address literal keeps its brackets. */
  domain: string;
  /** Domain in A-label form (what DNS and SMTP see); same as `domain` for literals. */
  asciiDomain: string;
  /** The IP of an address literal (`[192.0.2.1]`, `[IPv6:…]`), else null. */
  addressLiteral: string | null;
  /** `localPart@domain`: trimmed, domain lower-cased, NFC. */
  normalized: string;
  /** True when the local part is non-ASCII, so MAIL FROM needs SMTPUTF8. */
  smtputf8: boolean;
}

/** Stable machine-readable reasons a string is not a valid envelope address. */
export type SyntaxErrorCode =
  | 'empty'
  | 'too_long'
  | 'local_too_long'
  | 'domain_too_long'
  | 'label_too_long'
  | 'no_at_sign'
  | 'bad_local_part'
  | 'bad_quoted_string'
  | 'bad_domain'
  | 'bad_address_literal'
  | 'control_character'
  | 'whitespace'
  | 'comment'
  | 'obsolete_form';

export type ParseResult =
  { ok: true; address: ParsedAddress } | { ok: false; error: SyntaxErrorCode; message: string };
