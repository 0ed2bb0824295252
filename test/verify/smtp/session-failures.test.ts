import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  SmtpSession,
  SmtpSessionError,
  type SessionOptions,
} from '../../../src/verify/smtp/session.js';
import { classifySessionError } from '../../../src/verify/smtp/session-outcome.js';
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

/** Assert a promise rejects with an SmtpSessionError and return it. */
async function sessionError(promise: Promise<unknown>): Promise<SmtpSessionError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SmtpSessionError, String(error));
    assert.equal(error.code, 'MV_ERR_SMTP_SESSION');
    return error;
  }
  assert.fail('expected an SmtpSessionError');
}

describe('SmtpSession failures', () => {
  it('421 mid-pipeline rejects with the 421, the RCPT replies so far, and closes', async () => {
    // EHLO, MAIL, RCPT #1 are served; RCPT #2 gets 421.
    const p = await peer({ host: '127.0.1.20', catchAll: true, throttleAfterCommands: 3 });
    const s = await open(p);
    const err = await sessionError(s.transaction('', ['a@x.test', 'b@x.test', 'c@x.test']));
    assert.equal(err.kind, 'rejected');
    assert.equal(err.phase, 'rcpt');
    assert.equal(err.reply?.code, 421);
    assert.deepEqual(
      err.partial?.map((r) => r.code),
      [250],
    );
    assert.equal(s.closed, true);
    assert.equal(classifySessionError(err), 'temporary_error');
    await sessionError(s.transaction('', ['a@x.test'])).then((e) => assert.equal(e.kind, 'closed'));
    await s.quit(); // never throws, even when closed
  });

  it('421 without pipelining keeps the partial replies of earlier round trips', async () => {
    const p = await peer({
      host: '127.0.1.21',
      catchAll: true,
      pipelining: false,
      throttleAfterCommands: 4,
    });
    const s = await open(p);
    const err = await sessionError(s.transaction('', ['a@x.test', 'b@x.test', 'c@x.test']));
    assert.equal(err.kind, 'rejected');
    assert.equal(err.phase, 'rcpt');
    assert.deepEqual(
      err.partial?.map((r) => r.code),
      [250, 250],
    );
  });

  it('a 554 banner rejects in phase banner, with the reply, after a polite QUIT', async () => {
    const p = await peer({
      host: '127.0.1.22',
      banner: '554 5.7.1 mx.test No SMTP service for you',
    });
    const err = await sessionError(open(p));
    assert.equal(err.kind, 'rejected');
    assert.equal(err.phase, 'banner');
    assert.equal(err.reply?.code, 554);
    assert.equal(err.reply?.enhancedCode, '5.7.1');
    assert.equal(classifySessionError(err), 'blocked');
    assert.deepEqual(p.connections[0].commands, ['QUIT']);
  });

  it('a 421 banner (throttled host) rejects in phase banner', async () => {
    const p = await peer({ host: '127.0.1.23', throttleAtBanner: true });
    const err = await sessionError(open(p));
    assert.equal(err.kind, 'rejected');
    assert.equal(err.phase, 'banner');
    assert.equal(err.reply?.code, 421);
  });

  it('times out a tarpitted banner in phase banner', async () => {
    const p = await peer({ host: '127.0.1.24', tarpitByVerb: { BANNER: 5_000 } });
    const err = await sessionError(open(p, { timeouts: { bannerMs: 50 } }));
    assert.equal(err.kind, 'timeout');
    assert.equal(err.phase, 'banner');
    assert.equal(classifySessionError(err), 'timeout');
  });

  it('times out a tarpitted RCPT in phase rcpt, keeping earlier replies', async () => {
    const p = await peer({ host: '127.0.1.25', catchAll: true, tarpitByVerb: { RCPT: 5_000 } });
    const s = await open(p, { timeouts: { rcptMs: 50 } });
    const err = await sessionError(s.transaction('', ['a@x.test', 'b@x.test']));
    assert.equal(err.kind, 'timeout');
    assert.equal(err.phase, 'rcpt');
    assert.deepEqual(err.partial, []);
    assert.equal(s.closed, true);
  });

  it('times out EHLO in phase ehlo', async () => {
    const p = await peer({ host: '127.0.1.26', tarpitByVerb: { EHLO: 5_000 } });
    const err = await sessionError(open(p, { timeouts: { ehloMs: 50 } }));
    assert.equal(err.kind, 'timeout');
    assert.equal(err.phase, 'ehlo');
  });

  it('a connection dropped mid-session rejects with kind closed', async () => {
    // EHLO and MAIL are answered, then the peer drops the socket.
    const p = await peer({ host: '127.0.1.27', catchAll: true, dropAfterCommands: 2 });
    const s = await open(p);
    const err = await sessionError(s.transaction('', ['a@x.test', 'b@x.test']));
    assert.equal(err.kind, 'closed');
    assert.equal(err.phase, 'rcpt');
    assert.equal(s.closed, true);
    assert.equal(classifySessionError(err), 'connection_failed');
  });

  it('an over-long reply line is too_long and closes the session', async () => {
    const p = await peer({
      host: '127.0.1.28',
      replies: { long: `550 5.1.1 ${'x'.repeat(5_000)}` },
    });
    const s = await open(p);
    const err = await sessionError(s.transaction('', ['long@x.test']));
    assert.equal(err.kind, 'too_long');
    assert.equal(err.phase, 'rcpt');
    assert.equal(s.closed, true);
  });

  it('a multi-line reply beyond maxReplyBytes is too_long', async () => {
    const lines = Array.from({ length: 40 }, (_, i) => `250-line ${i} ${'y'.repeat(60)}`);
    const p = await peer({ host: '127.0.1.29', verbReplies: { EHLO: [...lines, '250 end'] } });
    const err = await sessionError(open(p, { maxReplyBytes: 1024 }));
    assert.equal(err.kind, 'too_long');
    assert.equal(err.phase, 'ehlo');
  });

  it('garbage instead of a reply is a protocol error', async () => {
    const p = await peer({ host: '127.0.1.30', replies: { odd: 'hello, this is not SMTP' } });
    const s = await open(p);
    const err = await sessionError(s.transaction('', ['odd@x.test']));
    assert.equal(err.kind, 'protocol');
    assert.equal(s.closed, true);
  });

  it('an unsolicited extra reply closes the session as a protocol error', async () => {
    const p = await peer({
      host: '127.0.1.31',
      verbReplies: { NOOP: '250 ok' },
      replies: { two: ['250 2.1.5 ok', '250 2.1.5 again'].join('\r\n') },
    });
    const s = await open(p);
    // The peer writes two complete replies for one RCPT; the second has no owner.
    await s.transaction('', ['two@x.test']).catch(() => undefined);
    const deadline = Date.now() + 2_000;
    while (!s.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(s.closed, true);
  });

  it('a refused connection rejects in phase connect with kind refused', async () => {
    const err = await sessionError(
      SmtpSession.open({
        host: '127.0.1.32',
        port: 25,
        heloName: 'probe.test',
        connect: plainConnect(),
      }),
    );
    assert.equal(err.kind, 'refused');
    assert.equal(err.phase, 'connect');
    assert.equal(classifySessionError(err), 'connection_failed');
  });

  it('a connect that never completes times out and aborts the factory', async () => {
    let signal: AbortSignal | undefined;
    const err = await sessionError(
      SmtpSession.open({
        host: '127.0.1.33',
        port: 25,
        heloName: 'probe.test',
        timeouts: { connectMs: 30 },
        connect: (target) => {
          signal = target.signal;
          return new Promise(() => undefined);
        },
      }),
    );
    assert.equal(err.kind, 'timeout');
    assert.equal(err.phase, 'connect');
    assert.equal(signal?.aborted, true);
  });

  it('destroy() rejects the operation in flight with kind closed', async () => {
    const p = await peer({ host: '127.0.1.34', catchAll: true, tarpitByVerb: { RCPT: 5_000 } });
    const s = await open(p);
    const pending = sessionError(s.transaction('', ['a@x.test']));
    s.destroy();
    const err = await pending;
    assert.equal(err.kind, 'closed');
    assert.equal(s.closed, true);
  });
});
