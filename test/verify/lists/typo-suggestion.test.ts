import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLists, POPULAR_DOMAINS } from '../../../src/verify/lists/index.js';
import { isOneEditApart, suggestDomain } from '../../../src/verify/lists/typo-suggester.js';
import { addr } from './parsed-address-fixture.js';

describe('isOneEditApart', () => {
  it('accepts one substitution, insertion, deletion or adjacent swap', () => {
    assert.equal(isOneEditApart('gnail.com', 'gmail.com'), true);
    assert.equal(isOneEditApart('gmaill.com', 'gmail.com'), true);
    assert.equal(isOneEditApart('gmal.com', 'gmail.com'), true);
    assert.equal(isOneEditApart('gmial.com', 'gmail.com'), true);
    assert.equal(isOneEditApart('gmail.con', 'gmail.com'), true);
  });

  it('rejects equal strings and two or more edits', () => {
    assert.equal(isOneEditApart('gmail.com', 'gmail.com'), false);
    assert.equal(isOneEditApart('gmial.con', 'gmail.com'), false);
    assert.equal(isOneEditApart('gamil.co', 'gmail.com'), false);
    assert.equal(isOneEditApart('example.com', 'gmail.com'), false);
    assert.equal(isOneEditApart('', 'ab'), false);
  });
});

describe('suggestDomain', () => {
  it('points the common slips to the provider', () => {
    assert.equal(suggestDomain('gmial.com'), 'gmail.com');
    assert.equal(suggestDomain('hotmial.com'), 'hotmail.com');
    assert.equal(suggestDomain('yaho.com'), 'yahoo.com');
    assert.equal(suggestDomain('outlok.com'), 'outlook.com');
    assert.equal(suggestDomain('gmail.con'), 'gmail.com');
    assert.equal(suggestDomain('icluod.com'), 'icloud.com');
  });

  it('does not treat a missing first letter as a slip', () => {
    assert.equal(suggestDomain('cloud.com'), null);
    assert.equal(suggestDomain('mail.com'), null);
  });

  it('only targets long names', () => {
    for (const domain of POPULAR_DOMAINS) assert.ok(domain.length >= 9, domain);
    assert.equal(suggestDomain('ao.com'), null);
  });
});

describe('suggestions in check', () => {
  const lists = createLists();

  it('returns the whole suggested address, keeping the local part', () => {
    assert.equal(lists.check(addr('John.Doe@gmial.com')).suggestion, 'John.Doe@gmail.com');
    assert.equal(lists.check(addr('a+b@hotmial.com')).suggestion, 'a+b@hotmail.com');
    assert.equal(lists.check(addr('x@yaho.com')).suggestion, 'x@yahoo.com');
    assert.equal(lists.check(addr('x@outlok.com')).suggestion, 'x@outlook.com');
  });

  it('still suggests for typo-squat domains the disposable lists carry', () => {
    const v = lists.check(addr('x@gmial.com'));
    assert.equal(v.disposable, true);
    assert.equal(v.suggestion, 'x@gmail.com');
  });

  it('gives no suggestion for real domains', () => {
    for (const a of [
      'x@gmail.com',
      'x@ymail.com', // one edit from gmail.com, but Yahoo's own free domain
      'x@email.com', // same, mail.com's
      'x@yahoo.co', // on the free list
      'x@example.com',
      'x@duck.com',
      'x@[192.0.2.1]',
    ]) {
      assert.equal(lists.check(addr(a)).suggestion, null, a);
    }
  });

  it('gives no suggestion for a domain the user allowed or denied', () => {
    const user = createLists({ allow: ['gmial.com'], deny: ['hotmial.com'] });
    assert.equal(user.check(addr('x@gmial.com')).suggestion, null);
    assert.equal(user.check(addr('x@hotmial.com')).suggestion, null);
  });
});
