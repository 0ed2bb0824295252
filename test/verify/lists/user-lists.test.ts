import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError } from '../../../src/errors.js';
import { createLists, MAX_REPORTED_ENTRY_ERRORS } from '../../../src/verify/lists/index.js';
import { addr, parsedAddress } from './parsed-address-fixture.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mailvet-lists-'));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    assert.equal(err.code, 'MV_ERR_CONFIG');
    return err;
  }
  assert.fail('expected a ConfigError');
}

describe('allow list', () => {
  it('clears disposable and relay from the public lists', () => {
    const lists = createLists({ allow: ['mailinator.com', 'duck.com'] });
    const v = lists.check(addr('qa@mailinator.com'));
    assert.equal(v.allowed, true);
    assert.equal(v.disposable, false);
    assert.equal(v.disposableTier, undefined);
    const r = lists.check(addr('me@duck.com'));
    assert.equal(r.allowed, true);
    assert.equal(r.relay, false);
  });

  it('applies to subdomains of a domain entry', () => {
    const lists = createLists({ allow: ['mailinator.com'] });
    assert.equal(lists.check(addr('qa@team.mailinator.com')).allowed, true);
    assert.equal(lists.check(addr('qa@team.mailinator.com')).disposable, false);
  });

  it('does not make an allowed disposable domain free', () => {
    const lists = createLists({ allow: ['mailinator.com'] });
    assert.equal(lists.check(addr('qa@mailinator.com')).free, false);
  });
});

describe('deny list', () => {
  it('makes an address disposable and denied, without a public tier', () => {
    const lists = createLists({ deny: ['example.com'] });
    const v = lists.check(addr('someone@sub.example.com'));
    assert.equal(v.denied, true);
    assert.equal(v.disposable, true);
    assert.equal(v.disposableTier, undefined);
    assert.equal(lists.check(addr('someone@example.org')).denied, false);
  });

  it('matches an address entry with the domain in any case, the local part as written', () => {
    const lists = createLists({ deny: ['Bad.Actor@Example.COM'] });
    assert.equal(lists.check(addr('Bad.Actor@example.com')).denied, true);
    assert.equal(lists.check(addr('other@example.com')).denied, false);
    assert.equal(lists.check(addr('bad.actor@example.com')).denied, false);
  });

  it('matches IDN entries in either form', () => {
    const lists = createLists({ deny: ['bücher.de', 'xn--caf-dma.example'] });
    assert.equal(lists.check(parsedAddress('x', 'bücher.de')).denied, true);
    assert.equal(lists.check(parsedAddress('x', 'café.example')).denied, true);
  });
});

describe('allow/deny precedence', () => {
  it('lets the most specific entry win', () => {
    const lists = createLists({
      deny: ['example.com', 'spam@good.example.org'],
      allow: ['good.example.com', 'example.org', 'ceo@example.com'],
    });
    assert.equal(lists.check(addr('x@example.com')).denied, true);
    assert.equal(lists.check(addr('x@good.example.com')).allowed, true);
    assert.equal(lists.check(addr('x@a.good.example.com')).allowed, true);
    assert.equal(lists.check(addr('ceo@example.com')).allowed, true);
    assert.equal(lists.check(addr('ceo@example.com')).denied, false);
    assert.equal(lists.check(addr('spam@good.example.org')).denied, true);
    assert.equal(lists.check(addr('ham@good.example.org')).allowed, true);
  });

  it('lets deny win when the same entry is on both lists', () => {
    const lists = createLists({ allow: ['example.com'], deny: ['example.com'] });
    const v = lists.check(addr('x@example.com'));
    assert.equal(v.denied, true);
    assert.equal(v.allowed, false);
  });

  it('merges files and inline arrays', () => {
    const allowFile = file('merge-allow.txt', 'yopmail.com\n');
    const lists = createLists({ allowFile, allow: ['mailinator.com'] });
    assert.equal(lists.check(addr('a@yopmail.com')).allowed, true);
    assert.equal(lists.check(addr('a@mailinator.com')).allowed, true);
  });
});

describe('allow/deny files', () => {
  it('reads entries, skipping comments, blank lines and CRLF endings', () => {
    const denyFile = file(
      'deny.txt',
      '\uFEFF# company deny list\r\n\r\nexample.com   # whole domain\r\n  bad#user@example.net\r\n\t\n# end\n',
    );
    const lists = createLists({ denyFile });
    assert.equal(lists.check(addr('x@example.com')).denied, true);
    assert.equal(lists.check(addr('bad#user@example.net')).denied, true);
    assert.equal(lists.check(addr('good@example.net')).denied, false);
  });

  it('reports every bad line with its number in one error', () => {
    const denyFile = file(
      'bad.txt',
      [
        'example.com',
        'two words.com',
        '@example.com',
        'user@',
        '*.example.com',
        'exa_mple.com',
        '-leading.com',
        'a..b.com',
        'x@[192.0.2.1]',
        'fine.org',
      ].join('\n'),
    );
    const err = configError(() => createLists({ denyFile }));
    assert.match(err.message, /deny list file .*bad\.txt \(8 bad lines\)/);
    for (const line of [2, 3, 4, 5, 6, 7, 8, 9])
      assert.match(err.message, new RegExp(`line ${line}: `));
    assert.doesNotMatch(err.message, /line 1: |line 10: /);
    assert.match(err.message, /line 3: starts with "@"/);
    assert.match(err.message, /line 5: wildcards are not needed/);
  });

  it('caps the listed problems and counts the rest', () => {
    const lines = Array.from({ length: MAX_REPORTED_ENTRY_ERRORS + 5 }, (_, i) => `bad entry ${i}`);
    const allowFile = file('many.txt', lines.join('\n'));
    const err = configError(() => createLists({ allowFile }));
    assert.match(err.message, /\(25 bad lines\)/);
    assert.match(err.message, /…and 5 more/);
  });

  it('reports a missing file clearly', () => {
    const missing = join(dir, 'does-not-exist.txt');
    const err = configError(() => createLists({ allowFile: missing }));
    assert.match(err.message, /Cannot read allow list file .*does-not-exist\.txt/);
  });

  it('rejects an over-long entry', () => {
    const denyFile = file('long.txt', `${'a'.repeat(300)}.com\n`);
    const err = configError(() => createLists({ denyFile }));
    assert.match(err.message, /line 1: longer than 254 characters/);
  });

  it('reports bad inline items by index', () => {
    const err = configError(() => createLists({ allow: ['good.com', 'not a domain'] }));
    assert.match(err.message, /allow option \(1 bad item\):\n {2}item 1: contains whitespace/);
  });

  it('ignores null file options', () => {
    const lists = createLists({ allowFile: null, denyFile: null });
    assert.equal(lists.check(addr('x@example.com')).allowed, false);
  });
});
