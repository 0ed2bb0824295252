import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { connect } from 'node:net';
import { once } from 'node:events';
import type { PostfixInstance } from '../../world/postfix.js';
import { startPostfix } from '../../world/postfix.js';

/**
 * The test world's real MTA answers RCPT the way mailvet's classifier expects
 * of a real server. Talks SMTP over a plain socket so the fixture is checked
 * independently of mailvet's own session code.
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

async function session(): Promise<RawSmtp> {
  const { client, banner } = await RawSmtp.open(postfix.host, postfix.port);
  assert.equal(banner.code, 220);
  const ehlo = await client.send('EHLO probe.mailvet.test');
  assert.equal(ehlo.code, 250);
  assert.match(ehlo.text, /^PIPELINING$/m);
  assert.match(ehlo.text, /^ENHANCEDSTATUSCODES$/m);
  assert.equal((await client.send('MAIL FROM:<verify@mailvet.test>')).code, 250);
  return client;
}

test('a known mailbox in the accept domain is accepted', async () => {
  const client = await session();
  try {
    const reply = await client.send(`RCPT TO:<alice@${postfix.domains.accept}>`);
    assert.equal(reply.code, 250);
    assert.match(reply.text, /^2\.1\.5 /);
  } finally {
    client.close();
  }
});

test('an unknown mailbox in the accept domain is 550 5.1.1', async () => {
  const client = await session();
  try {
    const reply = await client.send(`RCPT TO:<nobody-here@${postfix.domains.accept}>`);
    assert.equal(reply.code, 550);
    assert.match(
      reply.text,
      /^5\.1\.1 <nobody-here@postfix-accept\.test>: Recipient address rejected/,
    );
  } finally {
    client.close();
  }
});

test('the catch-all domain accepts any local part', async () => {
  const client = await session();
  try {
    for (const local of ['anything', 'x7f3k2random', 'first.last']) {
      assert.equal((await client.send(`RCPT TO:<${local}@${postfix.domains.catchAll}>`)).code, 250);
    }
  } finally {
    client.close();
  }
});

test('the greylist domain defers with 450 4.2.0', async () => {
  const client = await session();
  try {
    const reply = await client.send(`RCPT TO:<alice@${postfix.domains.greylist}>`);
    assert.equal(reply.code, 450);
    assert.equal(
      reply.text,
      '4.2.0 <alice@postfix-grey.test>: Recipient address rejected: Greylisted, try again later',
    );
  } finally {
    client.close();
  }
});

test('mixed recipients in one transaction get one answer each, and RSET starts over', async () => {
  const client = await session();
  try {
    const codes = [];
    for (const rcpt of [
      `bob@${postfix.domains.accept}`,
      `ghost@${postfix.domains.accept}`,
      `any@${postfix.domains.catchAll}`,
      `bob@${postfix.domains.greylist}`,
    ]) {
      codes.push((await client.send(`RCPT TO:<${rcpt}>`)).code);
    }
    assert.deepEqual(codes, [250, 550, 250, 450]);
    assert.equal((await client.send('RSET')).code, 250);
    assert.equal((await client.send('MAIL FROM:<>')).code, 250);
    assert.equal((await client.send(`RCPT TO:<postmaster@${postfix.domains.accept}>`)).code, 250);
    assert.equal((await client.send('QUIT')).code, 221);
  } finally {
    client.close();
  }
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
