import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAddress } from '../../../src/verify/syntax/index.js';
import type { ParsedAddress, SyntaxErrorCode } from '../../../src/verify/syntax/index.js';

function accepted(input: string): ParsedAddress {
  const result = parseAddress(input);
  assert.ok(
    result.ok,
    `expected ${JSON.stringify(input)} to be accepted, got ${JSON.stringify(result)}`,
  );
  return result.address;
}

function rejected(input: string, code: SyntaxErrorCode): void {
  const result = parseAddress(input);
  assert.equal(result.ok, false, `expected ${JSON.stringify(input)} to be rejected`);
  if (result.ok) return;
  assert.equal(result.error, code, `${JSON.stringify(input)}: ${result.message}`);
  assert.ok(result.message.length > 0);
}

/** A domain of `count` labels of `size` letters, joined by dots. */
function labels(count: number, size: number): string {
  return Array.from({ length: count }, () => 'a'.repeat(size)).join('.');
}

test('a plain address fills every field', () => {
  assert.deepEqual(accepted('John.Doe@Example.COM'), {
    input: 'John.Doe@Example.COM',
    localPart: 'John.Doe',
    domain: 'example.com',
    asciiDomain: 'example.com',
    addressLiteral: null,
    normalized: 'John.Doe@example.com',
    smtputf8: false,
  });
});

test('local part limit is 64 octets, counted in UTF-8', () => {
  accepted(`${'a'.repeat(64)}@example.com`);
  rejected(`${'a'.repeat(65)}@example.com`, 'local_too_long');
  // 32 × 'é' is 32 characters but 64 octets; one more letter tips it over.
  assert.equal(accepted(`${'é'.repeat(32)}@example.com`).smtputf8, true);
  rejected(`${'é'.repeat(32)}a@example.com`, 'local_too_long');
  // Quotes count: 62 letters + 2 quotes = 64.
  accepted(`"${'a'.repeat(62)}"@example.com`);
  rejected(`"${'a'.repeat(63)}"@example.com`, 'local_too_long');
});

test('labels are at most 63 octets', () => {
  accepted(`a@${'b'.repeat(63)}.com`);
  rejected(`a@${'b'.repeat(64)}.com`, 'label_too_long');
  // A U-label is judged in UTF-8 octets too, though its A-label is short.
  accepted(`a@${'ü'.repeat(31)}.de`);
  rejected(`a@${'ü'.repeat(32)}.de`, 'label_too_long');
});

test('domain limit is 253 octets; with the 254-octet total, 252 is the most usable', () => {
  const domain252 = `${labels(3, 63)}.${'a'.repeat(60)}`;
  assert.equal(domain252.length, 252);
  assert.equal(accepted(`a@${domain252}`).domain, domain252);
  // 253 octets is a valid domain, but a@ + 253 is 255 octets in all.
  rejected(`a@${domain252}b`, 'too_long');
  rejected(`a@${domain252}bc`, 'domain_too_long');
});

test('whole address limit is 254 octets', () => {
  const domain189 = `${labels(2, 63)}.${'a'.repeat(61)}`;
  assert.equal(domain189.length, 189);
  accepted(`${'a'.repeat(64)}@${domain189}`);
  rejected(`${'a'.repeat(64)}@${domain189}a`, 'too_long');
  // The same length in UTF-8: 31 × 'é' (62 octets) + 'aa' = 64 octets.
  accepted(`${'é'.repeat(31)}aa@${domain189}`);
  rejected(`${'é'.repeat(31)}aa@${domain189}a`, 'too_long');
});

test('very long input is refused as too_long', () => {
  rejected('a'.repeat(100_000), 'too_long');
  rejected(`${'a'.repeat(100_000)}@example.com`, 'too_long');
  rejected(`${'"\\'.repeat(50_000)}@example.com`, 'too_long');
  rejected(`a@${'.'.repeat(100_000)}`, 'too_long');
  // Under the early cut-off, the part scanners stop at their own limits.
  rejected(`${'a'.repeat(1000)}@example.com`, 'local_too_long');
  rejected(`"${'a'.repeat(1000)}"@example.com`, 'local_too_long');
  rejected(`a@${'a.'.repeat(450)}com`, 'domain_too_long');
  rejected(`a@${'ü'.repeat(20)}${'a'.repeat(300)}`, 'domain_too_long');
});

test('internationalised addresses: U-labels become A-labels, UTF-8 local parts need SMTPUTF8', () => {
  const chinese = accepted('用户@例子.广告');
  assert.equal(chinese.localPart, '用户');
  assert.equal(chinese.domain, '例子.广告');
  assert.equal(chinese.asciiDomain, 'xn--fsqu00a.xn--4rr70v');
  assert.equal(chinese.smtputf8, true);

  const jose = accepted('josé@bücher.de');
  assert.equal(jose.asciiDomain, 'xn--bcher-kva.de');
  assert.equal(jose.normalized, 'josé@bücher.de');

  const aLabel = accepted('info@XN--BCHER-KVA.de');
  assert.equal(aLabel.domain, 'bücher.de');
  assert.equal(aLabel.asciiDomain, 'xn--bcher-kva.de');
  assert.equal(aLabel.smtputf8, false);

  assert.equal(accepted('a@BÜCHER.de').domain, 'bücher.de');
  assert.equal(accepted('a@例子。广告').asciiDomain, 'xn--fsqu00a.xn--4rr70v');
  // A second parse of the same domain (served from the IDNA cache) agrees.
  assert.deepEqual(accepted('josé@bücher.de'), jose);
  rejected('a@bü..x', 'bad_domain');
  rejected('a@bü..x', 'bad_domain');
});

test('NFC: a decomposed é is stored composed', () => {
  const address = accepted('jose\u0301@example.com');
  assert.equal(address.localPart, 'jos\u00e9');
  assert.equal(address.normalized, 'jos\u00e9@example.com');
});

test('host-name rules are checked even where domainToASCII lets a name through', () => {
  rejected('a@bad_..x', 'bad_domain');
  rejected('a@bü..x', 'bad_domain'); // IDN path: the A-label form has an empty label
  rejected('a@bü_x.de', 'bad_domain');
  rejected('a@b＿c.com', 'bad_domain'); // fullwidth low line maps to '_'
  rejected('a@\u00ad.com', 'bad_domain'); // soft hyphen maps to nothing: empty label
  assert.equal(accepted('a@b\u00ad.com').asciiDomain, 'b.com');
  rejected('a@xn--test.com', 'bad_domain'); // not valid punycode
  rejected('a@-example.com', 'bad_domain');
  rejected('a@example-.com', 'bad_domain');
  rejected('a@.example.com', 'bad_domain');
  rejected('a@example..com', 'bad_domain');
  rejected('a@exa%41mple.com', 'bad_domain');
  rejected('a@b@example.com', 'bad_domain');
  rejected('a@', 'bad_domain');
  accepted('a@c--n.com');
  accepted('a@localhost');
});

test('a trailing dot on the domain is refused', () => {
  rejected('a@example.com.', 'bad_domain');
  rejected('a@例子。广告。', 'bad_domain');
});

test('IPv4 address literals', () => {
  const address = accepted('a@[192.0.2.1]');
  assert.equal(address.domain, '[192.0.2.1]');
  assert.equal(address.asciiDomain, '[192.0.2.1]');
  assert.equal(address.addressLiteral, '192.0.2.1');
  // Leading zeros are decimal in RFC 5321; the stored form drops them.
  assert.equal(accepted('a@[010.000.2.1]').addressLiteral, '10.0.2.1');
  rejected('a@[192.0.2.256]', 'bad_address_literal');
  rejected('a@[192.0.2]', 'bad_address_literal');
  rejected('a@[192.0.2.1.5]', 'bad_address_literal');
  rejected('a@[1921.0.2.1]', 'bad_address_literal');
  rejected('a@[192.0.2.1', 'bad_address_literal');
  rejected('a@[192.0.2.1]x', 'bad_address_literal');
  rejected('a@x[192.0.2.1]', 'bad_domain');
});

test('IPv6 address literals follow RFC 5321 §4.1.3', () => {
  const full = accepted('a@[IPv6:2001:DB8:0:0:0:0:0:1]');
  assert.equal(full.addressLiteral, '2001:db8:0:0:0:0:0:1');
  assert.equal(full.domain, '[IPv6:2001:db8:0:0:0:0:0:1]');
  assert.equal(accepted('a@[ipv6:2001:db8::1]').domain, '[IPv6:2001:db8::1]');
  assert.equal(accepted('a@[IPv6:::1]').addressLiteral, '::1');
  assert.equal(accepted('a@[IPv6:::]').addressLiteral, '::');
  assert.equal(accepted('a@[IPv6:::ffff:192.0.2.1]').addressLiteral, '::ffff:192.0.2.1');
  assert.equal(accepted('a@[IPv6:1:2:3:4:5:6:192.0.2.1]').addressLiteral, '1:2:3:4:5:6:192.0.2.1');
  accepted('a@[IPv6:1:2:3:4::192.0.2.1]');
  accepted('a@[IPv6:1:2:3:4:5:6::]');
  rejected('a@[IPv6:1:2:3:4:5:6:7::]', 'bad_address_literal'); // 7 groups besides ::
  rejected('a@[IPv6:1:2:3:4:5::192.0.2.1]', 'bad_address_literal'); // 5 groups besides :: + IPv4
  rejected('a@[IPv6:1:2:3:4:5:192.0.2.1]', 'bad_address_literal');
  rejected('a@[IPv6:192.0.2.1::]', 'bad_address_literal');
  rejected('a@[IPv6:1::2::3]', 'bad_address_literal');
  rejected('a@[IPv6:1:::3]', 'bad_address_literal');
  rejected('a@[IPv6:1::2:]', 'bad_address_literal');
  rejected('a@[IPv6::1:2]', 'bad_address_literal');
  rejected('a@[IPv6:12345::1]', 'bad_address_literal');
  rejected('a@[IPv6:1:2:3:4:5:6:7:8:9]', 'bad_address_literal');
  rejected('a@[2001:db8::1]', 'bad_address_literal'); // the IPv6: tag is required
  rejected('a@[x-tag:abc]', 'bad_address_literal'); // no general literals
});

test('control characters anywhere are control_character', () => {
  const controls = ['\r', '\n', '\0', '\x7f', '\x1b', '\x85', '\u2028', '\u202e'];
  for (const c of controls) {
    for (const input of [
      `a${c}b@example.com`,
      `ab@exa${c}mple.com`,
      `"a${c}b"@example.com`,
      `"a\\${c}b"@example.com`,
      `a@[192.0.2.1${c}]`,
      `a@example.com${c}`,
      `${c}a@example.com`,
      `nosign${c}`,
    ]) {
      rejected(input, 'control_character');
    }
  }
  // Trimming never strips CR or LF.
  rejected('a@example.com\r\n', 'control_character');
  rejected(' a@example.com\n ', 'control_character');
});

test('surrounding whitespace is trimmed; whitespace inside is an error', () => {
  const address = accepted(' \t a@example.com \u00a0');
  assert.equal(address.input, ' \t a@example.com \u00a0');
  assert.equal(address.normalized, 'a@example.com');
  assert.equal(parseAddress(' a@example.com', { trim: false }).ok, false);
  rejected('a b@example.com', 'whitespace');
  rejected('a@exam ple.com', 'whitespace');
  rejected('a @example.com', 'whitespace');
  rejected('a@ example.com', 'whitespace');
  rejected('a\tb@example.com', 'whitespace');
  rejected('a\u00a0b@example.com', 'whitespace');
  rejected('a\u3000b@example.com', 'whitespace');
  rejected('   ', 'empty');
  rejected('', 'empty');
});

test('comments and obsolete forms are header syntax, refused', () => {
  rejected('(comment)a@example.com', 'comment');
  rejected('a(comment)@example.com', 'comment');
  rejected('a@(comment)example.com', 'comment');
  rejected('a@example.com(comment)', 'comment');
  rejected('"a".b@example.com', 'obsolete_form');
  rejected('a."b"@example.com', 'obsolete_form');
  rejected('"a"."b"@example.com', 'obsolete_form');
});

test('quoted strings', () => {
  assert.equal(accepted('"john doe"@example.com').localPart, '"john doe"');
  assert.equal(accepted('"a@b"@example.com').localPart, '"a@b"');
  assert.equal(accepted('"a\\"b"@example.com').localPart, '"a\\"b"');
  assert.equal(accepted('"a\\\\b"@example.com').localPart, '"a\\\\b"');
  accepted('""@example.com');
  accepted('"(not a comment)"@example.com');
  assert.equal(accepted('"josé"@example.com').smtputf8, true);
  rejected('"unclosed@example.com', 'bad_quoted_string');
  rejected('"a\\"@example.com', 'bad_quoted_string');
  rejected('"a\\é"@example.com', 'bad_quoted_string');
  rejected('"a"b@example.com', 'bad_quoted_string');
  rejected('a"b"@example.com', 'bad_local_part');
  rejected('"a@b"', 'no_at_sign');
});

test('dot-atom local parts', () => {
  accepted("!#$%&'*+-/=?^_`{|}~@example.com");
  rejected('.a@example.com', 'bad_local_part');
  rejected('a.@example.com', 'bad_local_part');
  rejected('a..b@example.com', 'bad_local_part');
  rejected('@example.com', 'bad_local_part');
  rejected('a<b@example.com', 'bad_local_part');
  rejected('a\\b@example.com', 'bad_local_part');
  rejected('a,b@example.com', 'bad_local_part');
  rejected('\ud800a@example.com', 'bad_local_part'); // lone surrogate
  rejected('example.com', 'no_at_sign');
});

test('a non-string input is a result, not a crash', () => {
  const result = parseAddress(undefined as unknown as string);
  assert.equal(result.ok, false);
  if (!result.ok) assert.equal(result.error, 'empty');
});
