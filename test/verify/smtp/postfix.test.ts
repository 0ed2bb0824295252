import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { connect } from 'node:net';
import { once } from 'node:events';
import { createSocketFactory } from '../../../src/verify/smtp/connect.js';
import { SmtpSession } from '../../../src/verify/smtp/session.js';
import type { PostfixInstance } from '../../world/postfix.js';
import { startPostfix } from '../../world/postfix.js';
import { startSocks5Server } from '../../world/socks5-server.js';

/**
 * The test world's real MTA answers RCPT the way mailvet's classifier expects
 * of a real server, spoken to by mailvet's own session through its socket
 * factory. A plain-socket client covers what a session never does (skipping
 * HELO, relaying).
 */

interface Reply {
  code: number;
  text: string;
}

/** Minimal SMTP client: one command, one (possibly multi-line) reply. */
class RawSmtp {
  private buffer = '';
  private waiters: Array<() => void> = [];
  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      for (const wake of this.waiters.splice(0)) wake();
    });
    socket.on('close', () => {
      for (const wake of this.waiters.splice(0)) wake();
    });
    // A hung server must fail the test rather than hang it.
    socket.setTimeout(10_000, () => socket.destroy());
  }
  static async open(host: string, port: number): Promise<{ client: RawSmtp; banner: Reply }> {
    const socket = connect({ host, port });
    await once(socket, 'connect');
    const client = new RawSmtp(socket);
    return { client, banner: await client.reply() };
  }
  async reply(): Promise<Reply> {
    for (;;) {
      const lines = this.buffer.split('\r\n');
      const last = lines.findIndex((line) => /^\d{3} /.test(line));
      if (last !== -1) {
        this.buffer = lines.slice(last + 1).join('\r\n');
        return {
          code: Number(lines[last].slice(0, 3)),
          text: lines
            .slice(0, last + 1)
            .map((l) => l.slice(4))
            .join('\n'),
        };
      }
      if (this.socket.destroyed)
        throw new Error(`connection closed; got ${JSON.stringify(this.buffer)}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
  async send(command: string): Promise<Reply> {
    this.socket.write(`${command}\r\n`);
    return this.reply();
  }
  close(): void {
    this.socket.destroy();
  }
}

let postfix: PostfixInstance;

before(async () => {
  postfix = await startPostfix();
});

after(async () => {
  await postfix?.stop();
});

async function open(connect = createSocketFactory({ allowPrivate: true })): Promise<SmtpSession> {
  // Postfix here offers no STARTTLS (smtpd_tls_security_level = none).
  return SmtpSession.open({
    host: postfix.host,
    port: postfix.port,
    heloName: 'probe.mailvet.test',
    connect,
  });
}

test("mailvet's session sees Postfix as an ESMTP server with PIPELINING", async () => {
  const session = await open();
  try {
    assert.equal(session.banner.code, 220);
    assert.equal(session.capabilities.esmtp, true);
    assert.equal(session.capabilities.pipelining, true);
    assert.equal(session.tls, false);
  } finally {
    await session.quit();
  }
});

test('known → 250, unknown → 550 5.1.1, catch-all → 250, greylist → 450 4.2.0', async () => {
  const session = await open();
  try {
    const writesBefore = session.writes;
    const { mail, recipients } = await session.transaction('verify@mailvet.test', [
      `alice@${postfix.domains.accept}`,
      `nobody-here@${postfix.domains.accept}`,
      `x7f3k2random@${postfix.domains.catchAll}`,
      `alice@${postfix.domains.greylist}`,
    ]);
    assert.equal(mail.code, 250);
    assert.deepEqual(
      recipients.map((r) => [r.code, r.enhancedCode]),
      [
        [250, '2.1.5'],
        [550, '5.1.1'],
        [250, '2.1.5'],
        [450, '4.2.0'],
      ],
    );
    assert.match(recipients[1].message, /User unknown in virtual mailbox table/);
    assert.equal(
      recipients[3].message,
      '<alice@postfix-grey.test>: Recipient address rejected: Greylisted, try again later',
    );
    // Pipelined (RFC 2920): MAIL + every RCPT went out in one write.
    assert.equal(session.writes - writesBefore, 1);
  } finally {
    await session.quit();
  }
});

test('a second transaction on the same session (RSET first) answers the same', async () => {
  const session = await open();
  try {
    await session.transaction('verify@mailvet.test', [`bob@${postfix.domains.accept}`]);
    const second = await session.transaction('', [
      `postmaster@${postfix.domains.accept}`,
      `ghost@${postfix.domains.accept}`,
      `anything@${postfix.domains.catchAll}`,
    ]);
    assert.deepEqual(
      second.recipients.map((r) => r.code),
      [250, 550, 250],
    );
    assert.equal(session.transactions, 2);
  } finally {
    await session.quit();
  }
});

test('through a SOCKS5 proxy Postfix answers the same', async () => {
  const proxy = await startSocks5Server();
  try {
    const session = await open(createSocketFactory({ allowPrivate: true, proxy: proxy.url }));
    try {
      const { recipients } = await session.transaction('verify@mailvet.test', [
        `alice@${postfix.domains.accept}`,
        `nobody@${postfix.domains.accept}`,
      ]);
      assert.deepEqual(
        recipients.map((r) => r.code),
        [250, 550],
      );
    } finally {
      await session.quit();
    }
    assert.deepEqual(proxy.requests, [{ host: postfix.host, port: postfix.port, user: null }]);
  } finally {
    await proxy.close();
  }
});

test('the default socket factory refuses Postfix on loopback without connecting', async () => {
  await assert.rejects(open(createSocketFactory()), (err: unknown) => {
    const cause = (err as { cause?: { code?: string } }).cause;
    const code = (err as { code?: string }).code;
    return code === 'MV_ERR_UNROUTABLE_ADDRESS' || cause?.code === 'MV_ERR_UNROUTABLE_ADDRESS';
  });
});

test('it is not an open relay and insists on HELO', async () => {
  const { client } = await RawSmtp.open(postfix.host, postfix.port);
  try {
    assert.equal((await client.send('MAIL FROM:<verify@mailvet.test>')).code, 503);
    assert.equal((await client.send('HELO probe.mailvet.test')).code, 250);
    assert.equal((await client.send('MAIL FROM:<verify@mailvet.test>')).code, 250);
    const relay = await client.send('RCPT TO:<someone@example.com>');
    assert.equal(relay.code, 554);
    assert.match(relay.text, /Relay access denied/);
  } finally {
    client.close();
  }
});
