import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReplyParseError, ReplyParser, parseReply } from '../../../src/verify/smtp/reply-parser.js';
import { parseCapabilities } from '../../../src/verify/smtp/capabilities.js';

const limits = { maxLineLength: 2048, maxReplyBytes: 65_536 };

describe('ReplyParser', () => {
  it('assembles replies split across chunks and many replies in one chunk', () => {
    const p = new ReplyParser(limits);
    assert.deepEqual(p.push(Buffer.from('250-first li')), []);
    assert.deepEqual(p.push(Buffer.from('ne\r\n250 2.0.0 last\r')), []);
    const [a] = p.push(Buffer.from('\n'));
    assert.deepEqual(a, {
      code: 250,
      enhancedCode: '2.0.0',
      lines: ['first line', 'last'],
      message: 'first line last',
    });
    const many = p.push(Buffer.from('250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 no\r\n'));
    assert.deepEqual(
      many.map((r) => [r.code, r.enhancedCode]),
      [
        [250, '2.1.0'],
        [250, '2.1.5'],
        [550, '5.1.1'],
      ],
    );
    assert.equal(p.buffered, 0);
  });

  it('reads the enhanced code only when its class matches the reply code', () => {
    assert.equal(parseReply('550 5.1.1 nope').enhancedCode, '5.1.1');
    assert.equal(parseReply('550 4.1.1 odd').enhancedCode, null);
    assert.equal(parseReply('550 4.1.1 odd').message, '4.1.1 odd');
    assert.equal(parseReply('550 5.1.10 RESOLVER').enhancedCode, '5.1.10');
    assert.equal(parseReply('250 8BITMIME').enhancedCode, null);
    assert.equal(parseReply('250').message, '');
  });

  it('accepts bare LF and strips control characters from text', () => {
    const r = parseReply('550 5.1.1 a\u0007b\u001b[31m\n');
    assert.equal(r.message, 'a b [31m');
  });

  it('rejects garbage, a changing code, and over-long lines or replies', () => {
    const bad = (text: string, kind: string, l = limits) => {
      const p = new ReplyParser(l);
      assert.throws(
        () => p.push(Buffer.from(text)),
        (e: unknown) => e instanceof ReplyParseError && e.kind === kind,
        text.slice(0, 30),
      );
    };
    bad('hello\r\n', 'protocol');
    bad('099 weird\r\n', 'protocol');
    bad('250-a\r\n550 b\r\n', 'protocol');
    bad(`250 ${'x'.repeat(3000)}`, 'too_long'); // no newline needed to know
    bad('250-aaaa\r\n'.repeat(20), 'too_long', { maxLineLength: 100, maxReplyBytes: 100 });
  });

  it('hands back the replies completed before a fault in the same chunk', () => {
    const p = new ReplyParser(limits);
    try {
      p.push(Buffer.from('250 2.1.0 Ok\r\ngarbage\r\n'));
      assert.fail('should throw');
    } catch (e) {
      assert.ok(e instanceof ReplyParseError);
      assert.equal(e.replies.length, 1);
      assert.equal(e.replies[0].code, 250);
    }
  });
});

describe('parseCapabilities', () => {
  it('reads PIPELINING, SMTPUTF8, STARTTLS, SIZE and LIMITS RCPTMAX (RFC 9422)', () => {
    const caps = parseCapabilities(
      parseReply(
        [
          '250-mx.example Hello',
          '250-PIPELINING',
          '250-SIZE 52428800',
          '250-starttls',
          '250-SMTPUTF8',
          '250 LIMITS MAILMAX=10 RCPTMAX=50',
        ].join('\r\n'),
      ),
    );
    assert.equal(caps.esmtp, true);
    assert.equal(caps.pipelining, true);
    assert.equal(caps.starttls, true);
    assert.equal(caps.smtputf8, true);
    assert.equal(caps.size, 52428800);
    assert.equal(caps.rcptMax, 50);
    assert.equal(caps.raw.length, 5);
  });

  it('ignores malformed limits and a bare greeting', () => {
    const caps = parseCapabilities(parseReply('250-mx\r\n250-SIZE\r\n250 LIMITS RCPTMAX=abc'));
    assert.equal(caps.size, null);
    assert.equal(caps.rcptMax, null);
    assert.equal(caps.pipelining, false);
    assert.equal(parseCapabilities(parseReply('250 mx.example')).raw.length, 0);
  });
});
