import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { SmtpSession, type SessionOptions } from '../../../src/verify/smtp/session.js';
import { startSmtpPeer, type SmtpPeer, type SmtpPeerOptions } from '../../world/smtp-peer.js';
import { plainConnect } from '../../world/smtp-peer-connect.js';

const peers: SmtpPeer[] = [];
after(async () => {
  await Promise.all(peers.map((p) => p.close()));
});

async function peer(options: SmtpPeerOptions): Promise<SmtpPeer> {
  const p = await startSmtpPeer(options);
  peers.push(p);
  return p;
}

function open(p: SmtpPeer, extra: Partial<SessionOptions> = {}): Promise<SmtpSession> {
  return SmtpSession.open({
    host: p.host,
    port: p.port,
    servername: 'mx.test',
    heloName: 'probe.mailvet.test',
    connect: plainConnect(),
    ...extra,
  });
}

describe('SmtpSession STARTTLS', () => {
  it('upgrades when offered, asks EHLO again, and transacts over TLS', async () => {
    const p = await peer({ host: '127.0.1.40', starttls: true, accept: ['a'] });
    const s = await open(p);
    assert.equal(s.tls, true);
    assert.equal(s.tlsFallback, false);
    // Servers stop advertising STARTTLS once it is active.
    assert.equal(s.capabilities.starttls, false);
    const r = await s.transaction('', ['a@x.test', 'b@x.test']);
    assert.deepEqual(
      r.recipients.map((x) => x.code),
      [250, 550],
    );
    const log = p.connections[0];
    assert.equal(log.tls, true);
    assert.deepEqual(log.commands.slice(0, 3), [
      'EHLO probe.mailvet.test',
      'STARTTLS',
      'EHLO probe.mailvet.test',
    ]);
    await s.quit();
  });

  it('falls back to a new plaintext connection when the handshake fails', async () => {
    const p = await peer({ host: '127.0.1.41', starttls: 'broken', accept: ['a'] });
    const counter = { connects: 0 };
    const s = await open(p, { connect: plainConnect(counter) });
    assert.equal(s.tls, false);
    assert.equal(s.tlsFallback, true);
    assert.equal(counter.connects, 2);
    assert.equal(p.stats.connections, 2);
    assert.equal(p.connections[1].commands.includes('STARTTLS'), false);
    const r = await s.transaction('', ['a@x.test']);
    assert.equal(r.recipients[0].code, 250);
    await s.quit();
  });

  it('continues in plaintext on the same connection after a 454 refusal', async () => {
    const p = await peer({ host: '127.0.1.42', starttls: 'refuse', accept: ['a'] });
    const s = await open(p);
    assert.equal(s.tls, false);
    assert.equal(s.tlsFallback, false);
    assert.equal(p.stats.connections, 1);
    const r = await s.transaction('', ['a@x.test']);
    assert.equal(r.recipients[0].code, 250);
    await s.quit();
  });

  it('does not try STARTTLS when disabled', async () => {
    const p = await peer({ host: '127.0.1.43', starttls: true });
    const s = await open(p, { starttls: false });
    assert.equal(s.tls, false);
    assert.equal(s.capabilities.starttls, true);
    assert.equal(p.connections[0].commands.includes('STARTTLS'), false);
    await s.quit();
  });
});
