/**
 * Conformance with the is_email test set (Dominic Sayers, BSD licence):
 * mailvet must accept exactly the addresses whose category is valid, a DNS
 * warning, or RFC 5321-valid, and refuse everything that is only valid in a
 * message header (RFC 5322: comments, folding whitespace, obsolete forms) or
 * not valid at all.
 *
 * The set judges each string exactly as written, so it runs with
 * `trim: false`. With the default trimming, cases with surrounding spaces
 * (#157, #158) are judged as their trimmed text, which is checked too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAddress } from '../../../src/verify/syntax/index.js';
import { loadIsEmailCases } from './isemail-tests.js';

const ACCEPTED_CATEGORIES = new Set([
  'ISEMAIL_VALID_CATEGORY',
  'ISEMAIL_DNSWARN',
  'ISEMAIL_RFC5321',
]);
const EXPECTED_CASES = 164;

const cases = loadIsEmailCases();

test('the is_email test set holds every case', () => {
  assert.equal(cases.length, EXPECTED_CASES);
  assert.equal(new Set(cases.map((c) => c.id)).size, EXPECTED_CASES);
});

for (const c of cases) {
  const expected = ACCEPTED_CATEGORIES.has(c.category);
  test(`#${c.id} ${expected ? 'accepts' : 'rejects'} ${JSON.stringify(c.address)} (${c.diagnosis})`, () => {
    const strict = parseAddress(c.address, { trim: false });
    assert.equal(
      strict.ok,
      expected,
      strict.ok ? 'accepted' : `rejected: ${strict.error} — ${strict.message}`,
    );
    if (!strict.ok) assert.ok(strict.message.length > 0);

    const trimmed = parseAddress(c.address);
    const asTrimmedText = parseAddress(trimSpaces(c.address), { trim: false });
    assert.equal(trimmed.ok, asTrimmedText.ok);
  });
}

/** The default trimming strips spaces and tabs only, never CR or LF. */
function trimSpaces(text: string): string {
  return text.replace(/^[ \t]+/, '').replace(/[ \t]+$/, '');
}
