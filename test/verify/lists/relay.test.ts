import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { createLists, RELAY_DOMAINS } from '../../../src/verify/lists/index.js';
import { addr } from './parsed-address-fixture.js';

const require = createRequire(import.meta.url);
const mailchecker = require('mailchecker') as { blacklist(): Set<string> };

describe('relay / alias services', () => {
  const lists = createLists();

  it('flags each curated relay domain as relay, never disposable', () => {
    for (const domain of RELAY_DOMAINS) {
      const v = lists.check(addr(`alias@${domain}`));
      assert.equal(v.relay, true, domain);
      assert.equal(v.disposable, false, domain);
      assert.equal(v.disposableTier, undefined, domain);
      assert.equal(v.suggestion, null, domain);
    }
  });

  it('wins over a public disposable list that includes the relay', () => {
    // The premise: mailchecker lists these relays as disposable.
    for (const domain of ['duck.com', 'mozmail.com', 'simplelogin.com', 'addy.io']) {
      assert.equal(mailchecker.blacklist().has(domain), true, domain);
      const v = lists.check(addr(`alias@${domain}`));
      assert.equal(v.relay, true, domain);
      assert.equal(v.disposable, false, domain);
    }
  });

  it('covers per-user subdomains', () => {
    for (const a of ['x@someone.anonaddy.com', 'x@someone.33mail.com', 'x@me.simplelogin.com']) {
      const v = lists.check(addr(a));
      assert.equal(v.relay, true, a);
      assert.equal(v.disposable, false, a);
    }
  });

  it('includes the services named in the brief', () => {
    for (const domain of [
      'duck.com',
      'simplelogin.com',
      'simplelogin.co',
      'simplelogin.io',
      'slmail.me',
      'anonaddy.com',
      'anonaddy.me',
      'addy.io',
      'privaterelay.appleid.com',
      'mozmail.com',
      '33mail.com',
      'erine.email',
    ]) {
      assert.ok(RELAY_DOMAINS.includes(domain), domain);
    }
  });

  it('does not flag ordinary domains', () => {
    assert.equal(lists.check(addr('x@gmail.com')).relay, false);
    assert.equal(lists.check(addr('x@appleid.example.com')).relay, false);
  });
});
