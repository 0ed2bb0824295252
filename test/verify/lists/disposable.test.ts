import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { createLists } from '../../../src/verify/lists/index.js';
import { addr } from './parsed-address-fixture.js';

const require = createRequire(import.meta.url);
const mailchecker = require('mailchecker') as { blacklist(): Set<string> };
const curated = new Set(
  require('disposable-email-domains-js/dist/dict/disposable_email_blocklist.json') as string[],
);

describe('disposable domains', () => {
  const lists = createLists();

  it('flags a curated-list domain with the curated tier', () => {
    const v = lists.check(addr('someone@mailinator.com'));
    assert.equal(v.disposable, true);
    assert.equal(v.disposableTier, 'curated');
    assert.equal(v.relay, false);
    assert.equal(v.free, false);
  });

  it('flags a domain found only on the broad list with the broad tier', () => {
    // pp.ua is on mailchecker, not on the curated list: guard the premise.
    assert.equal(curated.has('pp.ua'), false);
    assert.equal(mailchecker.blacklist().has('pp.ua'), true);
    const v = lists.check(addr('someone@pp.ua'));
    assert.equal(v.disposable, true);
    assert.equal(v.disposableTier, 'broad');
  });

  it('matches subdomains of a listed domain, at any depth', () => {
    for (const domain of ['x.mailinator.com', 'a.b.c.mailinator.com']) {
      const v = lists.check(addr(`someone@${domain}`));
      assert.equal(v.disposable, true, domain);
      assert.equal(v.disposableTier, 'curated', domain);
    }
  });

  it('does not match a domain that merely ends with the same characters', () => {
    const v = lists.check(addr('someone@notmailinator-example.com'));
    assert.equal(v.disposable, false);
    assert.equal(v.disposableTier, undefined);
  });

  it('leaves ordinary providers and company domains alone', () => {
    for (const a of ['john@gmail.com', 'jane@outlook.com', 'ceo@example.org', 'x@tutanota.com']) {
      const v = lists.check(addr(a));
      assert.equal(v.disposable, false, a);
      assert.equal(v.disposableTier, undefined, a);
    }
  });

  it('can drop the broad tier and keep the curated one', () => {
    const curatedOnly = createLists({ broadDisposable: false });
    assert.equal(curatedOnly.check(addr('someone@pp.ua')).disposable, false);
    assert.equal(curatedOnly.check(addr('someone@mailinator.com')).disposable, true);
  });

  it('never flags an address literal from the domain lists', () => {
    const v = lists.check(addr('someone@[192.0.2.1]'));
    assert.equal(v.disposable, false);
    assert.equal(v.free, false);
    assert.equal(v.suggestion, null);
  });

  it('shares the public data: a second createLists answers the same', () => {
    const again = createLists();
    assert.deepEqual(again.check(addr('a@yopmail.com')), lists.check(addr('a@yopmail.com')));
  });
});
