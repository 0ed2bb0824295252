/**
 * Size limits of an envelope address, in octets of UTF-8 (RFC 5321 §4.5.3.1,
 * RFC 6531 §3.3: the limits stay in octets when the address is UTF-8).
 */

/** Local part, including the quotes and backslashes of a quoted string. */
export const MAX_LOCAL_PART_OCTETS = 64;

/**
 * Domain name. RFC 5321 says 255, but a name travels in DNS as length-prefixed
 * labels inside 255 octets, which leaves 253 for the dotted text form.
 */
export const MAX_DOMAIN_OCTETS = 253;

/** One DNS label (RFC 1035 §2.3.4). */
export const MAX_LABEL_OCTETS = 63;

/**
 * The whole mailbox. RFC 5321's Path is at most 256 octets including the two
 * angle brackets, which leaves 254 for the mailbox (RFC 3696 errata 1690).
 */
export const MAX_ADDRESS_OCTETS = 254;

/**
 * Inputs longer than this many UTF-16 code units are refused before any other
 * work, so a 100 kB string costs one length check. The bound is generous on
 * purpose: NFC folds at most four code points into one, so each octet of an
 * accepted (≤ 254-octet) result comes from at most four input code units, and
 * nothing that could normalise to a valid address is refused here.
 */
export const MAX_INPUT_CODE_UNITS = MAX_ADDRESS_OCTETS * 4;
