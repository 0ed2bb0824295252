import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { InvalidArgumentError } from '../../../src/errors.js';
import { SmtpSession, type SessionOptions } from '../../../src/verify/smtp/session.js';
import { startSmtpPeer, type SmtpPeer, type SmtpPeerOptions } from '../../world/smtp-peer.js';
import { plainConnect } from '../../world/smtp-peer-connect.js';

const peers: SmtpPeer[] = [];
const sessions: SmtpSession[] = [];
after(async () => {
  for (const s of sessions) s.destroy();
  await Promise.all(peers.map((p) => p.close()));
});

async function peer(options: SmtpPeerOptions): Promise<SmtpPeer> {
  const p = await startSmtpPeer(options);
  peers.push(p);
  return p;
}

async function open(p: SmtpPeer, extra: Partial<SessionOptions> = {}): Promise<SmtpSession> {
  const s = await SmtpSession.open({
    host: p.host,
    port: p.port,
    heloName: 'probe.mailvet.test',
    connect: plainConnect(),
    ...extra,
  });
  sessions.push(s);
  return s;
}

describe('SmtpSession: greeting and capabilities', () => {
  it('parses the banner and EHLO capabilities including LIMITS RCPTMAX', async () => {
    const p = await peer({ host: '127.0.1.1', smtputf8: true, rcptMax: 7, hostname: 'mx1.test' });
    const s = await open(p);
    assert.equal(s.banner.code, 220);
    assert.match(s.banner.message, /mx1\.test/);
    assert.equal(s.capabilities.esmtp, true);
    assert.equal(s.capabilities.pipelining, true);
    assert.equal(s.capabilities.smtputf8, true);
    assert.equal(s.capabilities.starttls, false);
    assert.equal(s.capabilities.size, 35882577);
    assert.equal(s.capabilities.rcptMax, 7);
    assert.ok(s.capabilities.raw.includes('LIMITS RCPTMAX=7'));
    assert.equal(s.tls, false);
    assert.deepEqual(p.connections[0].commands, ['EHLO probe.mailvet.test']);
    await s.quit();
    assert.equal(s.closed, true);
  });

  it('falls back to HELO when EHLO is refused, then works one command per round trip', async () => {
    const p = await peer({ host: '127.0.1.2', refuseEhlo: true, accept: ['alice'] });
    const s = await open(p);
    assert.equal(s.capabilities.esmtp, false);
    assert.equal(s.capabilities.pipelining, false);
    const r = await s.transaction('', ['alice@x.test', 'bob@x.test']);
    assert.equal(r.mail.code, 250);
    assert.deepEqual(
      r.recipients.map((x) => x.code),
      [250, 550],
    );
    const log = p.connections[0];
    assert.deepEqual(log.commands.slice(0, 2), [
      'EHLO probe.mailvet.test',
      'HELO probe.mailvet.test',
    ]);
    assert.ok(
      log.bursts.every((b) => b.length === 1),
      JSON.stringify(log.bursts),
    );
    await s.quit();
  });
});

describe('SmtpSession: transactions', () => {
  it('pipelines MAIL and every RCPT in one write and matches each reply to its recipient', async () => {
    const p = await peer({
      host: '127.0.1.3',
      latencyMs: 5,
      replies: {
        a: '250 2.1.5 a is fine',
        b: '550 5.1.1 b does not exist',
        c: '450 4.2.0 c greylisted',
        d: '250 2.1.5 d is fine',
        e: '552 5.2.2 e is over quota',
      },
    });
    const s = await open(p);
    const rcpts = ['a', 'b', 'c', 'd', 'e'].map((l) => `${l}@x.test`);
    const writesBefore = s.writes;
    const r = await s.transaction('probe@mailvet.test', rcpts);
    assert.equal(s.writes - writesBefore, 1);
    assert.equal(r.mail.code, 250);
    assert.deepEqual(
      r.recipients.map((x) => `${x.code} ${x.enhancedCode} ${x.message}`),
      [
        '250 2.1.5 a is fine',
        '550 5.1.1 b does not exist',
        '450 4.2.0 c greylisted',
        '250 2.1.5 d is fine',
        '552 5.2.2 e is over quota',
      ],
    );
    const burst = p.connections[0].bursts.find((b) => b[0].startsWith('MAIL'));
    assert.deepEqual(burst, [
      'MAIL FROM:<probe@mailvet.test>',
      ...rcpts.map((x) => `RCPT TO:<${x}>`),
    ]);
    assert.equal(s.transactions, 1);
    await s.quit();
  });

  it('without PIPELINING sends one command per round trip', async () => {
    const p = await peer({ host: '127.0.1.4', pipelining: false, accept: ['a', 'c'] });
    const s = await open(p);
    assert.equal(s.capabilities.pipelining, false);
    const r = await s.transaction('', ['a@x.test', 'b@x.test', 'c@x.test']);
    assert.deepEqual(
      r.recipients.map((x) => x.code),
      [250, 550, 250],
    );
    const bursts = p.connections[0].bursts;
    assert.ok(
      bursts.every((b) => b.length === 1),
      JSON.stringify(bursts),
    );
    assert.equal(p.stats.commands.RCPT, 3);
    await s.quit();
  });

  it('parses multi-line replies with enhanced codes on every line', async () => {
    const p = await peer({
      host: '127.0.1.5',
      replies: {
        ghost: [
          '550-5.1.1 The email account that you tried to reach does not exist. Please try',
          '550-5.1.1 double-checking the recipient address for typos or',
          '550 5.1.1 https://support.google.com/mail/?p=NoSuchUser x - gsmtp',
        ],
      },
      accept: ['real'],
    });
    const s = await open(p);
    const r = await s.transaction('', ['ghost@x.test', 'real@x.test']);
    const [ghost, real] = r.recipients;
    assert.equal(ghost.code, 550);
    assert.equal(ghost.enhancedCode, '5.1.1');
    assert.equal(ghost.lines.length, 3);
    assert.match(ghost.lines[0], /^The email account/);
    assert.equal(real.code, 250);
    await s.quit();
  });

  it('returns no recipient replies when MAIL FROM is refused', async () => {
    const p = await peer({
      host: '127.0.1.6',
      catchAll: true,
      verbReplies: { MAIL: '550 5.7.1 Sender rejected' },
    });
    const s = await open(p);
    const r = await s.transaction('probe@mailvet.test', ['a@x.test', 'b@x.test']);
    assert.equal(r.mail.code, 550);
    assert.deepEqual(r.recipients, []);
    assert.equal(s.transactions, 0);
    // The pipelined RCPT replies (503) were read, so the session stays in step.
    assert.equal(s.closed, false);
    const again = await s.reset();
    assert.equal(again.code, 250);
    await s.quit();
  });

  it('reuses one connection for three transactions, resetting between them', async () => {
    const p = await peer({ host: '127.0.1.7', accept: ['a', 'b', 'c'], greylist: 1 });
    const s = await open(p);
    const first = await s.transaction('', ['a@x.test']);
    assert.equal(first.recipients[0].code, 450); // greylisted the first time
    const second = await s.transaction('', ['a@x.test', 'b@x.test']);
    assert.deepEqual(
      second.recipients.map((x) => x.code),
      [250, 450],
    );
    assert.equal((await s.reset()).code, 250);
    const third = await s.transaction('', ['b@x.test', 'c@x.test']);
    assert.deepEqual(
      third.recipients.map((x) => x.code),
      [250, 450],
    );
    assert.equal(s.transactions, 3);
    assert.equal(p.stats.connections, 1);
    assert.equal(p.stats.transactions, 3);
    assert.equal(p.stats.commands.RSET, 2); // one pipelined automatically, one explicit
    const rsetBurst = p.connections[0].bursts.find((b) => b[0] === 'RSET' && b.length > 1);
    assert.deepEqual(rsetBurst, [
      'RSET',
      'MAIL FROM:<>',
      'RCPT TO:<a@x.test>',
      'RCPT TO:<b@x.test>',
    ]);
    await s.quit();
  });

  it('reports 452 4.5.3 for recipients beyond the server limit', async () => {
    const p = await peer({ host: '127.0.1.8', catchAll: true, maxRecipientsPerTransaction: 2 });
    const s = await open(p);
    const r = await s.transaction('', ['a@x.test', 'b@x.test', 'c@x.test', 'd@x.test']);
    assert.deepEqual(
      r.recipients.map((x) => `${x.code} ${x.enhancedCode}`),
      ['250 2.1.5', '250 2.1.5', '452 4.5.3', '452 4.5.3'],
    );
    assert.equal(p.stats.maxRecipientsInTransaction, 2);
    await s.quit();
  });

  it('adds SMTPUTF8 to MAIL FROM when asked and offered', async () => {
    const p = await peer({ host: '127.0.1.9', smtputf8: true, catchAll: true });
    const s = await open(p);
    const r = await s.transaction('', ['üser@bücher.test'], { smtputf8: true });
    assert.equal(r.recipients[0].code, 250);
    const cmds = p.connections[0].commands;
    assert.ok(cmds.includes('MAIL FROM:<> SMTPUTF8'), JSON.stringify(cmds));
    assert.ok(cmds.includes('RCPT TO:<üser@bücher.test>'));
    const plain = await s.transaction('', ['a@x.test']);
    assert.equal(plain.recipients[0].code, 250);
    assert.ok(cmds.includes('MAIL FROM:<>'));
    await s.quit();
  });

  it('refuses a non-ASCII address when the server lacks SMTPUTF8, writing nothing', async () => {
    const p = await peer({ host: '127.0.1.10', catchAll: true });
    const s = await open(p);
    const before = p.connections[0].commands.length;
    await assert.rejects(
      s.transaction('', ['üser@x.test'], { smtputf8: true }),
      InvalidArgumentError,
    );
    assert.equal(p.connections[0].commands.length, before);
    await s.quit();
  });
});

describe('SmtpSession: command injection', () => {
  const attacks = [
    'a@x.test>\r\nRCPT TO:<victim@elsewhere.test',
    'a@x.test\r\nDATA',
    'a@x.test\nQUIT',
    'a@x.test\rRSET',
    'a\u0000b@x.test',
    'a@x.test\u0085',
    'a@x.te\u007fst',
    'a b@x.test',
    'a@x.test> SMTPUTF8',
    '<a@x.test>',
    'a@x.test\u2028',
  ];
  it('refuses every unsafe recipient or sender before writing anything', async () => {
    const p = await peer({ host: '127.0.1.11', catchAll: true });
    const s = await open(p);
    const log = p.connections[0];
    const before = log.commands.length;
    for (const bad of attacks) {
      await assert.rejects(s.transaction('', ['ok@x.test', bad]), InvalidArgumentError, bad);
      await assert.rejects(s.transaction(bad, ['ok@x.test']), InvalidArgumentError, bad);
    }
    assert.equal(log.commands.length, before, JSON.stringify(log.commands));
    assert.equal(p.stats.reads, 1); // only the EHLO ever reached the peer
    // The session is still healthy afterwards.
    const r = await s.transaction('', ['ok@x.test']);
    assert.equal(r.recipients[0].code, 250);
    await s.quit();
  });

  it('refuses an unsafe HELO name before connecting', async () => {
    let connects = 0;
    await assert.rejects(
      SmtpSession.open({
        host: '127.0.1.11',
        port: 25,
        heloName: 'probe.test\r\nMAIL FROM:<x@y.z>',
        connect: async () => {
          connects++;
          throw new Error('must not connect');
        },
      }),
      InvalidArgumentError,
    );
    assert.equal(connects, 0);
  });
});
