import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { createLists } from '../../../src/verify/lists/index.js';
import { addr } from './parsed-address-fixture.js';

const require = createRequire(import.meta.url);
const rawFree = new Set(require('free-email-domains/domains.json') as string[]);

describe('free providers', () => {
  const lists = createLists();

  it('flags the big free providers', () => {
    for (const domain of ['gmail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'gmx.de']) {
      const v = lists.check(addr(`someone@${domain}`));
      assert.equal(v.free, true, domain);
      assert.equal(v.disposable, false, domain);
    }
  });

  it('removes disposable domains that the free package ships', () => {
    // Premise: free-email-domains contains these disposable domains.
    for (const domain of ['mailinator.com', 'yopmail.com', 'yaho.com']) {
      assert.equal(rawFree.has(domain), true, domain);
      const v = lists.check(addr(`someone@${domain}`));
      assert.equal(v.disposable, true, domain);
      assert.equal(v.free, false, domain);
    }
  });

  it('keeps a relay that is on the free list free (it is not disposable)', () => {
    assert.equal(rawFree.has('duck.com'), true);
    const v = lists.check(addr('someone@duck.com'));
    assert.equal(v.free, true);
    assert.equal(v.relay, true);
  });

  it('matches free domains exactly, not their subdomains', () => {
    assert.equal(lists.check(addr('someone@corp.gmail.com')).free, false);
    assert.equal(lists.check(addr('someone@example.com')).free, false);
  });

  it('drops free when the user denies the address', () => {
    const denying = createLists({ deny: ['spammer@gmail.com'] });
    const v = denying.check(addr('spammer@gmail.com'));
    assert.equal(v.denied, true);
    assert.equal(v.disposable, true);
    assert.equal(v.free, false);
    assert.equal(denying.check(addr('friend@gmail.com')).free, true);
  });
});
