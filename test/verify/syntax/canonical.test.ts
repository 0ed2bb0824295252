import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalize, parseAddress, PROVIDER_RULES } from '../../../src/verify/syntax/index.js';

function canonical(input: string): string {
  const result = parseAddress(input);
  assert.ok(result.ok, input);
  return canonicalize(result.address);
}

test('Gmail: dots and +tag dropped, lower case, googlemail folds to gmail', () => {
  assert.equal(canonical('John.Doe+news@Gmail.com'), 'johndoe@gmail.com');
  assert.equal(canonical('j.o.h.n@googlemail.com'), 'john@gmail.com');
  assert.equal(canonical('john@gmail.com'), 'john@gmail.com');
});

test('subaddressing providers drop +tag and lower-case, but keep dots', () => {
  assert.equal(canonical('Jane.Roe+shop@Outlook.com'), 'jane.roe@outlook.com');
  assert.equal(canonical('jane+x@hotmail.com'), 'jane@hotmail.com');
  assert.equal(canonical('jane+x@live.com'), 'jane@live.com');
  assert.equal(canonical('Jane+x@iCloud.com'), 'jane@icloud.com');
  assert.equal(canonical('jane+x@me.com'), 'jane@me.com');
  assert.equal(canonical('jane+x@fastmail.com'), 'jane@fastmail.com');
  assert.equal(canonical('jane+x@proton.me'), 'jane@proton.me');
});

test('Yahoo: lower case only; its -keyword addresses are not folded', () => {
  assert.equal(canonical('Jane-shop@Yahoo.com'), 'jane-shop@yahoo.com');
  assert.equal(canonical('jane+x@yahoo.com'), 'jane+x@yahoo.com');
});

test('unknown providers, quoted local parts and literals keep the normalized form', () => {
  assert.equal(canonical('John.Doe+tag@Example.com'), 'John.Doe+tag@example.com');
  assert.equal(canonical('"John.Doe+x"@gmail.com'), '"John.Doe+x"@gmail.com');
  assert.equal(canonical('John+x@[192.0.2.1]'), 'John+x@[192.0.2.1]');
  // No base mailbox before the +: nothing to fold onto.
  assert.equal(canonical('+tag@gmail.com'), '+tag@gmail.com');
});

test('the provider table lists each domain once, in lower-case A-label form', () => {
  const domains = PROVIDER_RULES.flatMap((r) => r.domains);
  assert.equal(new Set(domains).size, domains.length);
  for (const d of domains) {
    const parsed = parseAddress(`x@${d}`);
    assert.ok(parsed.ok && parsed.address.asciiDomain === d, d);
  }
});
