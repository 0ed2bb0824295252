import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '../../../src/errors.js';
import {
  MAX_COMMAND_LINE_OCTETS,
  ehloCommand,
  heloCommand,
  mailCommand,
  rcptCommand,
} from '../../../src/verify/smtp/command.js';
import { canPipeline } from '../../../src/verify/smtp/session-pipelining.js';
import { NO_CAPABILITIES } from '../../../src/verify/smtp/capabilities.js';

describe('command builders', () => {
  it('build exact lines', () => {
    assert.equal(ehloCommand('probe.example').line, 'EHLO probe.example\r\n');
    assert.equal(heloCommand('[192.0.2.1]').line, 'HELO [192.0.2.1]\r\n');
    assert.equal(mailCommand('').line, 'MAIL FROM:<>\r\n');
    assert.equal(
      mailCommand('ü@x.test', { smtputf8: true }).line,
      'MAIL FROM:<ü@x.test> SMTPUTF8\r\n',
    );
    assert.equal(rcptCommand('a.b+c@x.test').line, 'RCPT TO:<a.b+c@x.test>\r\n');
    assert.equal(rcptCommand('"john doe"@x.test').line, 'RCPT TO:<"john doe"@x.test>\r\n');
    assert.equal(rcptCommand('"a\\"b"@x.test').line, 'RCPT TO:<"a\\"b"@x.test>\r\n');
    assert.equal(rcptCommand('a@[192.0.2.1]').line, 'RCPT TO:<a@[192.0.2.1]>\r\n');
  });

  const unsafe = [
    'a@x.test\r\nDATA',
    'a@x.test\n',
    'a@x.test\r',
    'a\u0000@x.test',
    'a\u0009@x.test',
    'a@x.test\u007f',
    'a@x.test\u0085',
    'a@x.test\u009b',
    'a@x.test\u2028',
    '"a\r\nb"@x.test',
    '"a\u0000"@x.test',
    'a b@x.test',
    'a@x .test',
    'a\u00a0b@x.test',
    'a>b@x.test',
    '<a@x.test',
    'a@x.test>',
    'a@x.test> SMTPUTF8',
    'a"b@x.test',
    '"unterminated@x.test',
    'no-at-sign',
    '@x.test',
    'a@',
    'a@[not-an-ip]',
    'ü@x.test', // non-ASCII without SMTPUTF8
    `${'a'.repeat(300)}@x.test`,
  ];
  for (const bad of unsafe) {
    it(`refuses RCPT ${JSON.stringify(bad)}`, () => {
      assert.throws(() => rcptCommand(bad), InvalidArgumentError);
      assert.throws(() => mailCommand(bad), InvalidArgumentError);
    });
  }

  it('refuses unsafe HELO names', () => {
    for (const bad of [
      '',
      'a b',
      'x\r\nMAIL',
      'x\n',
      '-bad-.test',
      'a..b',
      '[1.2.3.4',
      'x'.repeat(300),
    ]) {
      assert.throws(() => ehloCommand(bad), InvalidArgumentError, bad);
      assert.throws(() => heloCommand(bad), InvalidArgumentError, bad);
    }
  });

  it('never builds a line longer than RFC 5321 allows', () => {
    const long = `${'a'.repeat(64)}@${'b'.repeat(180)}.test`;
    assert.ok(mailCommand(long, { smtputf8: true }).line.length <= MAX_COMMAND_LINE_OCTETS);
  });
});

describe('canPipeline', () => {
  const on = { ...NO_CAPABILITIES, esmtp: true, pipelining: true };
  it('groups transaction commands only after an EHLO offering PIPELINING', () => {
    assert.equal(canPipeline(['RSET', 'MAIL', 'RCPT', 'RCPT'], on), true);
    assert.equal(canPipeline(['MAIL', 'RCPT'], { ...on, pipelining: false }), false);
    assert.equal(canPipeline(['MAIL', 'RCPT'], null), false);
    assert.equal(canPipeline(['MAIL'], null), true);
  });
  it('never groups EHLO, HELO or STARTTLS, and QUIT only at the end', () => {
    assert.equal(canPipeline(['STARTTLS', 'EHLO'], on), false);
    assert.equal(canPipeline(['EHLO', 'MAIL'], on), false);
    assert.equal(canPipeline(['MAIL', 'RCPT', 'QUIT'], on), true);
    assert.equal(canPipeline(['QUIT', 'MAIL'], on), false);
  });
});
