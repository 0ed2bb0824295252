/**
 * SMTP command injection (design.md §5): whatever a stranger types as an
 * address, and whatever an operator puts in HELO / MAIL FROM, a real server
 * on loopback (127.0.9.x:25) must only ever receive well-formed single-line
 * commands. The peer splits on LF and keeps any other byte, so a smuggled CR,
 * NUL, NEL or U+2028 would show up in its log.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InvalidArgumentError } from '../../../src/errors.js';
import { defaultConfig } from '../../../src/config.js';
import { createDefaultVerifier } from '../../../src/verify/default-verifier.js';
import { ehloCommand, mailCommand, rcptCommand } from '../../../src/verify/smtp/command.js';
import { SmtpSession } from '../../../src/verify/smtp/session.js';
import { parseAddress } from '../../../src/verify/syntax/index.js';
import { startDnsServer, type TestDnsServer } from '../../world/dns-server.js';
import { startSmtpPeer, type SmtpPeer } from '../../world/smtp-peer.js';
import { plainConnect } from '../../world/smtp-peer-connect.js';

/** Characters that end or split a line somewhere: CR, LF, NUL, VT, FF, NEL, LS, PS, … */
const LINE_BREAKERS = [
  '\r',
  '\n',
  '\u0000',
  '\u000b',
  '\u000c',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u009b',
  '\u2028',
  '\u2029',
];
const UNSAFE_IN_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/** A path as the builders write it: `<>`, or a quoted or plain local part, `@`, a domain. */
const PATH = String.raw`<(?:(?:"[^"\\]*(?:\\.[^"\\]*)*"|[^<>"\s]+)@[^<>"\s@]+)?>`;
/** Every line the verifier may legitimately send. */
const COMMAND_GRAMMAR = new RegExp(
  String.raw`^(?:(?:EHLO|HELO) (?:[A-Za-z0-9.-]+|\[[^\]\s]+\])|MAIL FROM:${PATH}(?: SMTPUTF8)?|RCPT TO:${PATH}|RSET|QUIT|NOOP)$`,
  'u',
);

const HOSTILE_ADDRESSES = [
  'a\r\nRCPT TO:<victim@elsewhere.test>@inj.test',
  'a\nDATA@inj.test',
  'a\rDATA@inj.test',
  'a\u0000@inj.test',
  '"a\r\nQUIT"@inj.test',
  '"a\\\r\nQUIT"@inj.test',
  '"a\\\u0000"@inj.test',
  '"a\u2028RSET"@inj.test',
  'a\u2029@inj.test',
  'a\u0085@inj.test',
  'a@inj.test\r\nRSET',
  'a@inj.test\u000bRSET',
  '\u202eevil@inj.test',
  'a@inj.test>\r\nDATA',
  'a@inj.test> SMTPUTF8',
  'a b@inj.test',
  '<a@inj.test>',
  `${'x'.repeat(100_000)}@inj.test`,
  `a@${'x'.repeat(100_000)}.test`,
];
/** Odd but valid addresses: they must reach the server, each as exactly one line. */
const ODD_VALID = [
  'a%0d%0aRSET@inj.test', // percent signs are atext; nothing decodes them
  '"x> RCPT TO:<y"@inj.test', // quoted strings may hold <, > and spaces
  '"\\u000d"@inj.test', // a backslash-u in quotes is six printable characters
  '"a\\"b"@inj.test',
  'ü@inj.test', // UTF-8 local part: SMTPUTF8 transaction
  'alice@bücher.test', // IDN: sent as the A-label
];

let dns: TestDnsServer;
let peer: SmtpPeer;
const extraPeers: SmtpPeer[] = [];

before(async () => {
  peer = await startSmtpPeer({ host: '127.0.9.1', accept: ['alice'], smtputf8: true });
  const mx = [{ exchange: 'mx.inj.test', preference: 10 }];
  dns = await startDnsServer({
    zones: {
      'inj.test': { mx },
      'xn--bcher-kva.test': { mx },
      'mx.inj.test': { a: ['127.0.9.1'] },
    },
  });
});

after(async () => {
  await Promise.all([peer?.close(), dns?.close(), ...extraPeers.map((p) => p.close())]);
});

function verifierFor(overrides: Record<string, unknown> = {}) {
  return createDefaultVerifier(
    defaultConfig({
      'dns.servers': [dns.address],
      // The peers live on loopback: the SSRF guard is turned off explicitly, never by default.
      'smtp.allowPrivateMx': true,
      'smtp.starttls': false,
      'smtp.commandTimeoutMs': 2000,
      ...overrides,
    }),
  );
}

function receivedLines(p: SmtpPeer): string[] {
  return p.connections.flatMap((c) => c.commands);
}

describe('command builders: no input yields an unsafe line', () => {
  it('every control or line-breaking character anywhere is refused (seeded fuzz)', () => {
    // A small deterministic PRNG: the same cases every run, no flakiness.
    let seed = 0x9e3779b9;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) >>> 0;
      return seed;
    };
    const pieces = [
      ...LINE_BREAKERS,
      'a',
      'Z',
      '0',
      '.',
      '@',
      '"',
      '\\',
      '<',
      '>',
      ' ',
      '[',
      ']',
      ':',
      'ü',
      'x.test',
      'IPv6:',
      '::1',
      '1.2.3.4',
    ];
    let built = 0;
    for (let i = 0; i < 20_000; i++) {
      let s = '';
      const n = 1 + (next() % 12);
      for (let j = 0; j < n; j++) s += pieces[next() % pieces.length];
      for (const build of [
        () => rcptCommand(s, { utf8: true }),
        () => mailCommand(s, { smtputf8: true }),
        () => ehloCommand(s),
      ]) {
        let line: string;
        try {
          line = build().line;
        } catch (err) {
          assert.ok(err instanceof InvalidArgumentError, String(err));
          continue;
        }
        built++;
        assert.ok(line.endsWith('\r\n'), JSON.stringify(line));
        const body = line.slice(0, -2);
        assert.doesNotMatch(body, UNSAFE_IN_LINE, JSON.stringify(line));
        assert.match(body, COMMAND_GRAMMAR, JSON.stringify(line));
      }
    }
    assert.ok(built > 100, `the fuzz built ${built} lines; it must exercise the accepting path`);
  });

  it('accepts the IPv6 literal tag in any case, as the syntax layer lower-cases it', () => {
    assert.equal(rcptCommand('a@[ipv6:2001:db8::1]').line, 'RCPT TO:<a@[ipv6:2001:db8::1]>\r\n');
    assert.equal(rcptCommand('a@[IPv6:2001:db8::1]').line, 'RCPT TO:<a@[IPv6:2001:db8::1]>\r\n');
    assert.throws(() => rcptCommand('a@[ipv7:2001:db8::1]'), InvalidArgumentError);
  });

  it('whatever parseAddress accepts builds into one safe line', () => {
    for (const input of [...HOSTILE_ADDRESSES, ...ODD_VALID]) {
      const parsed = parseAddress(input);
      if (!parsed.ok) continue;
      const a = parsed.address;
      const line = rcptCommand(`${a.localPart}@${a.asciiDomain}`, { utf8: a.smtputf8 }).line;
      assert.match(line.slice(0, -2), COMMAND_GRAMMAR, JSON.stringify(input));
    }
    for (const input of HOSTILE_ADDRESSES) {
      assert.equal(parseAddress(input).ok, false, `must be refused: ${JSON.stringify(input)}`);
    }
  });
});

describe('end to end: hostile addresses against a real SMTP server', () => {
  it('refuses hostile input before the wire and sends odd valid ones as single lines', async () => {
    peer.resetStats();
    const verifier = verifierFor();
    try {
      const results = [];
      for await (const { result } of verifier.verifyMany([...HOSTILE_ADDRESSES, ...ODD_VALID])) {
        results.push(result);
      }
      const byEmail = new Map(results.map((r) => [r.email, r]));
      for (const input of HOSTILE_ADDRESSES) {
        const r = byEmail.get(input)!;
        assert.equal(r.reason, 'invalid_syntax', JSON.stringify(input));
        assert.equal(r.smtp.checked, false);
      }
      for (const input of ODD_VALID) {
        assert.equal(byEmail.get(input)!.smtp.checked, true, JSON.stringify(input));
      }
    } finally {
      await verifier.close();
    }
    const lines = receivedLines(peer);
    for (const line of lines) assert.match(line, COMMAND_GRAMMAR);
    const rcpts = lines.filter((l) => l.startsWith('RCPT TO:'));
    const probes = rcpts.filter((l) => /<mv-[0-9a-f]+@/.test(l));
    assert.equal(rcpts.length - probes.length, ODD_VALID.length, rcpts.join('\n'));
    assert.ok(rcpts.includes('RCPT TO:<a%0d%0aRSET@inj.test>'));
    assert.ok(rcpts.includes('RCPT TO:<"x> RCPT TO:<y"@inj.test>'));
    assert.ok(rcpts.includes('RCPT TO:<alice@xn--bcher-kva.test>'));
    assert.equal(peer.stats.commands.DATA ?? 0, 0);
    assert.equal(peer.stats.commands.OTHER ?? 0, 0);
  });

  it('a session refuses unsafe recipients and MAIL FROM before writing anything', async () => {
    const p = await startSmtpPeer({ host: '127.0.9.2', accept: ['alice'] });
    extraPeers.push(p);
    const session = await SmtpSession.open({
      host: p.host,
      port: p.port,
      heloName: 'probe.mailvet.test',
      connect: plainConnect(),
    });
    try {
      for (const bad of ['a@x.test\r\nDATA', 'a\u2028@x.test', '"a\u0000"@x.test', 'ü@x.test']) {
        await assert.rejects(session.transaction('', ['alice@x.test', bad]), InvalidArgumentError);
        await assert.rejects(session.transaction(bad, ['alice@x.test']), InvalidArgumentError);
      }
      // Nothing was written, so the session is still in step and usable.
      const ok = await session.transaction('', ['alice@x.test', 'x@[ipv6:2001:db8::1]']);
      assert.deepEqual(
        ok.recipients.map((r) => r.code),
        [250, 550],
      );
    } finally {
      await session.quit();
    }
    assert.deepEqual(receivedLines(p), [
      'EHLO probe.mailvet.test',
      'MAIL FROM:<>',
      'RCPT TO:<alice@x.test>',
      'RCPT TO:<x@[ipv6:2001:db8::1]>',
      'QUIT',
    ]);
  });

  it('an unsafe HELO name is refused before connecting', async () => {
    const p = await startSmtpPeer({ host: '127.0.9.3' });
    extraPeers.push(p);
    for (const helo of ['probe.test\r\nMAIL FROM:<x@y>', 'probe\u2028test', 'a b', '']) {
      await assert.rejects(
        SmtpSession.open({ host: p.host, port: p.port, heloName: helo, connect: plainConnect() }),
        InvalidArgumentError,
      );
    }
    assert.equal(p.stats.connections, 0);
  });
});
