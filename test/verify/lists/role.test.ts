import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLists } from '../../../src/verify/lists/index.js';
import { roleKey } from '../../../src/verify/lists/role-key.js';
import { addr } from './parsed-address-fixture.js';

describe('roleKey', () => {
  it('lower-cases, drops the +tag and the separators', () => {
    assert.equal(roleKey('Info+x'), 'info');
    assert.equal(roleKey('no-reply'), 'noreply');
    assert.equal(roleKey('No_Reply+tag'), 'noreply');
    assert.equal(roleKey('no.reply'), 'noreply');
    assert.equal(roleKey('+only-tag'), '');
  });

  it('strips the quotes and quoted-pair backslashes of a quoted local part', () => {
    assert.equal(roleKey('"info"'), 'info');
    assert.equal(roleKey('"Sales\\ Team"'), 'sales team');
    assert.equal(roleKey('"a\\"b"'), 'a"b');
  });
});

describe('role accounts', () => {
  const lists = createLists();

  it('matches list entries whatever the case, tag or separator', () => {
    for (const local of ['info', 'Info', 'INFO+newsletter', '"info"', 'noreply', 'no-reply']) {
      assert.equal(lists.check(addr(`${local}@example.com`)).role, true, local);
    }
    for (const local of ['no_reply', 'No.Reply', 'do-not-reply', 'postmaster', 'abuse']) {
      assert.equal(lists.check(addr(`${local}@example.com`)).role, true, local);
    }
  });

  it('does not flag personal mailboxes', () => {
    for (const local of ['john.smith', 'jane', 'j.doe+info', 'information-desk-person']) {
      assert.equal(lists.check(addr(`${local}@example.com`)).role, false, local);
    }
  });

  it('is computed for address literals and denied addresses too', () => {
    assert.equal(lists.check(addr('postmaster@[192.0.2.1]')).role, true);
    const denying = createLists({ deny: ['example.net'] });
    assert.equal(denying.check(addr('support@example.net')).role, true);
  });
});
