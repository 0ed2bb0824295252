import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import {
  DEFAULT_PEER_HOSTNAME,
  PEER_MAX_LINE_BYTES,
  type PeerVerb,
  type ReplyText,
  type SmtpPeerBehaviour,
} from './smtp-peer-options.js';
import { PEER_VERBS, type PeerConnectionLog, type SmtpPeerStats } from './smtp-peer-stats.js';

/** What a connection needs from its peer: live behaviour, shared stats and state. */
export interface PeerContext {
  behaviour(): SmtpPeerBehaviour;
  stats: SmtpPeerStats;
  /** Attempts seen per greylist triplet, shared across connections. */
  greylist: Map<string, number>;
  secureContext(): tls.SecureContext;
}

type AfterWrite = 'close' | 'drop' | 'starttls' | 'broken';
interface Outgoing {
  dueAt: number;
  text: string;
  then?: AfterWrite;
}

/**
 * One scripted SMTP server connection. Commands are handled in arrival order
 * (state changes immediately); replies are queued with a due time and written
 * in order by one pump, so latency is per reply, not serialised.
 */
export class PeerConnection {
  private socket: Socket;
  private buffer = '';
  private paused = false;
  private greeted = false;
  private bannerRefused = false;
  private mailFrom: string | null = null;
  private rcptCount = 0;
  private served = 0;
  private readonly out: Outgoing[] = [];
  private lastDue = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    socket: Socket,
    private readonly ctx: PeerContext,
    readonly log: PeerConnectionLog,
    overCapacity: boolean,
  ) {
    this.socket = socket;
    socket.on('data', this.onData);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.stop());
    this.greet(overCapacity);
  }

  /** Stop timers and drop the socket (peer shutdown). */
  destroy(): void {
    this.stop();
    this.socket.destroy();
  }

  private get b(): SmtpPeerBehaviour {
    return this.ctx.behaviour();
  }

  private get hostname(): string {
    return this.b.hostname ?? DEFAULT_PEER_HOSTNAME;
  }

  private stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.out.length = 0;
    this.log.closed = true;
  }

  private greet(overCapacity: boolean): void {
    const now = performance.now();
    if (overCapacity || this.b.throttleAtBanner) {
      this.paused = true;
      const text = `421 4.7.0 ${this.hostname} Error: too many connections, try again later`;
      this.reply(now, 'BANNER', text, 'close');
      return;
    }
    const banner = this.b.banner ?? `220 ${this.hostname} ESMTP mailvet test peer`;
    const lines = Array.isArray(banner) ? banner : [banner];
    const code = lines[lines.length - 1]?.slice(0, 3) ?? '';
    // RFC 5321 §3.1: after a 554 greeting the server answers 503 until QUIT.
    this.bannerRefused = !code.startsWith('2');
    if (code === '421') this.paused = true;
    this.reply(now, 'BANNER', banner, code === '421' ? 'close' : undefined);
  }

  private readonly onData = (chunk: Buffer): void => {
    const arrival = performance.now();
    this.ctx.stats.reads++;
    if (this.paused) return;
    this.buffer += chunk.toString('latin1');
    const burst: string[] = [];
    let nl: number;
    while (!this.paused && (nl = this.buffer.indexOf('\n')) !== -1) {
      const raw = this.buffer.slice(0, nl).replace(/\r$/, '');
      this.buffer = this.buffer.slice(nl + 1);
      const line = Buffer.from(raw, 'latin1').toString('utf8');
      burst.push(line);
      this.command(arrival, line);
    }
    if (burst.length > 0) this.log.bursts.push(burst);
    if (!this.paused && this.buffer.length > PEER_MAX_LINE_BYTES) {
      this.paused = true;
      this.reply(arrival, 'OTHER', '500 5.5.2 Error: line too long', 'close');
    }
  };

  private command(arrival: number, line: string): void {
    const word = line.split(' ', 1)[0].toUpperCase();
    const verb: PeerVerb = (PEER_VERBS as readonly string[]).includes(word)
      ? (word as PeerVerb)
      : 'OTHER';
    this.served++;
    this.log.commands.push(line);
    this.ctx.stats.commands[verb] = (this.ctx.stats.commands[verb] ?? 0) + 1;

    const throttle = this.b.throttleAfterCommands;
    if (throttle !== undefined && this.served > throttle) {
      this.paused = true;
      const text = `421 4.7.0 ${this.hostname} Error: too many commands, try again later`;
      this.reply(arrival, verb, text, 'close');
      return;
    }
    const text = this.answer(verb, line);
    let then: AfterWrite | undefined = text.then;
    if (this.b.dropAfterCommands !== undefined && this.served >= this.b.dropAfterCommands) {
      then = 'drop';
    }
    if (then) {
      this.paused = true;
      // RFC 3207 §4.2: anything pipelined after STARTTLS is discarded.
      this.buffer = '';
    }
    this.reply(arrival, verb, text.reply, then, verb === 'RCPT' ? this.rcptLatency(line) : 0);
  }

  /** `rcptLatencyMs` of the recipient named in this RCPT line, else 0. */
  private rcptLatency(line: string): number {
    const m = /^RCPT TO:<([^>]+)>/i.exec(line);
    if (!m || !this.b.rcptLatencyMs) return 0;
    const lower = m[1].toLowerCase();
    return lookup(this.b.rcptLatencyMs, lower, lower.slice(0, lower.lastIndexOf('@'))) ?? 0;
  }

  private answer(verb: PeerVerb, line: string): { reply: ReplyText; then?: AfterWrite } {
    if (this.bannerRefused && verb !== 'QUIT') return { reply: '503 5.5.1 Error: bad sequence' };
    const override = this.b.verbReplies?.[verb];
    if (override !== undefined && verb !== 'MAIL' && verb !== 'RCPT') {
      if ((verb === 'EHLO' || verb === 'HELO') && firstCode(override).startsWith('2')) {
        this.greeted = true;
        this.resetTransaction();
      }
      return { reply: override };
    }
    switch (verb) {
      case 'EHLO':
        return { reply: this.ehlo(line) };
      case 'HELO':
        this.greeted = true;
        this.resetTransaction();
        return { reply: `250 ${this.hostname}` };
      case 'STARTTLS':
        return this.starttls();
      case 'MAIL':
        return { reply: this.mail(line) };
      case 'RCPT':
        return { reply: this.rcpt(line) };
      case 'RSET':
        this.resetTransaction();
        return { reply: '250 2.0.0 Ok' };
      case 'NOOP':
        return { reply: '250 2.0.0 Ok' };
      case 'QUIT':
        return { reply: '221 2.0.0 Bye', then: 'close' };
      case 'DATA':
        return { reply: '554 5.5.1 Error: the test peer accepts no data' };
      case 'VRFY':
        return { reply: '252 2.0.0 Cannot VRFY user' };
      default:
        return { reply: '500 5.5.2 Error: command not recognized' };
    }
  }

  private ehlo(line: string): ReplyText {
    if (this.b.refuseEhlo) return '500 5.5.1 Command unrecognized: "EHLO"';
    if (line.trim().split(/\s+/).length < 2) return '501 5.5.4 Syntax: EHLO hostname';
    this.greeted = true;
    this.resetTransaction();
    const ext = ['SIZE 35882577', '8BITMIME', 'ENHANCEDSTATUSCODES'];
    if (this.b.pipelining !== false) ext.push('PIPELINING');
    if (this.b.starttls && !this.log.tls) ext.push('STARTTLS');
    if (this.b.smtputf8) ext.push('SMTPUTF8');
    if (this.b.rcptMax !== undefined) ext.push(`LIMITS RCPTMAX=${this.b.rcptMax}`);
    const all = [this.hostname, ...ext];
    return all.map((t, i) => `250${i === all.length - 1 ? ' ' : '-'}${t}`);
  }

  private starttls(): { reply: ReplyText; then?: AfterWrite } {
    const mode = this.b.starttls;
    if (!mode || this.log.tls) return { reply: '502 5.5.1 Error: command not implemented' };
    if (mode === 'refuse') return { reply: '454 4.7.0 TLS not available due to local problem' };
    return {
      reply: '220 2.0.0 Ready to start TLS',
      then: mode === 'broken' ? 'broken' : 'starttls',
    };
  }

  private mail(line: string): ReplyText {
    if (!this.greeted) return '503 5.5.1 Error: send HELO/EHLO first';
    if (this.mailFrom !== null) return '503 5.5.1 Error: nested MAIL command';
    const m = /^MAIL FROM:<([^>]*)>(.*)$/i.exec(line);
    if (!m) return '501 5.5.4 Syntax: MAIL FROM:<address>';
    const params = m[2].trim().toUpperCase().split(/\s+/).filter(Boolean);
    const utf8 = params.includes('SMTPUTF8');
    if (utf8 && !this.b.smtputf8) return '555 5.5.4 Unsupported option: SMTPUTF8';
    if (!utf8 && /[^\x00-\x7f]/.test(m[1])) return '553 5.6.7 Error: SMTPUTF8 is required';
    const override = this.b.verbReplies?.MAIL;
    if (override !== undefined && !firstCode(override).startsWith('2')) return override;
    this.mailFrom = m[1];
    this.rcptCount = 0;
    this.ctx.stats.transactions++;
    return override ?? '250 2.1.0 Ok';
  }

  private rcpt(line: string): ReplyText {
    if (this.mailFrom === null) return '503 5.5.1 Error: need MAIL command';
    const m = /^RCPT TO:<([^>]+)>/i.exec(line);
    if (!m) return '501 5.1.3 Bad recipient address syntax';
    const address = m[1];
    const lower = address.toLowerCase();
    const local = lower.slice(0, lower.lastIndexOf('@'));
    const limit = this.b.maxRecipientsPerTransaction ?? this.b.rcptMax;
    if (limit !== undefined && this.rcptCount >= limit) {
      return '452 4.5.3 Error: too many recipients';
    }
    const override = this.b.verbReplies?.RCPT ?? lookup(this.b.replies, lower, local);
    if (override !== undefined) {
      if (firstCode(override).startsWith('2')) this.countRecipient();
      return override;
    }
    if (this.b.blockRcpt) {
      const ip = this.log.remoteAddress;
      return `554 5.7.1 Service unavailable; Client host [${ip}] blocked using zen.spamhaus.org`;
    }
    const greylist = this.b.greylist ?? 0;
    if (greylist > 0) {
      const key = `${this.log.remoteAddress}|${this.mailFrom.toLowerCase()}|${lower}`;
      const seen = this.ctx.greylist.get(key) ?? 0;
      this.ctx.greylist.set(key, seen + 1);
      if (seen < greylist) {
        return `450 4.2.0 <${address}>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/${this.hostname}.html`;
      }
    }
    const accept = new Set([...(this.b.accept ?? [])].map((a) => a.toLowerCase()));
    if (this.b.catchAll || accept.has(lower) || accept.has(local)) {
      this.countRecipient();
      return '250 2.1.5 Ok';
    }
    return `550 5.1.1 <${address}>: Recipient address rejected: User unknown in virtual mailbox table`;
  }

  private countRecipient(): void {
    this.rcptCount++;
    const stats = this.ctx.stats;
    stats.maxRecipientsInTransaction = Math.max(stats.maxRecipientsInTransaction, this.rcptCount);
  }

  private resetTransaction(): void {
    this.mailFrom = null;
    this.rcptCount = 0;
  }

  private reply(
    arrival: number,
    verb: PeerVerb,
    text: ReplyText,
    then?: AfterWrite,
    extraDelay = 0,
  ): void {
    const b = this.b;
    const delay =
      (b.latencyMs ?? 0) + (b.tarpitMs ?? 0) + (b.tarpitByVerb?.[verb] ?? 0) + extraDelay;
    // Replies leave in command order; a reply is never due before the one ahead of it.
    const dueAt = Math.max(arrival + delay, this.lastDue);
    this.lastDue = dueAt;
    const body = (Array.isArray(text) ? text : [text]).map((l) => `${l}\r\n`).join('');
    this.out.push({ dueAt, text: body, then });
    this.arm();
  }

  private arm(): void {
    if (this.timer || this.out.length === 0) return;
    const wait = Math.max(0, this.out[0].dueAt - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, wait);
  }

  /** Write every due reply in one write (as a real server flushes), then run its follow-up. */
  private pump(): void {
    const now = performance.now();
    let chunk = '';
    while (this.out.length > 0 && this.out[0].dueAt <= now + 1) {
      const next = this.out.shift()!;
      chunk += next.text;
      if (next.then) {
        if (chunk && !this.socket.destroyed) this.socket.write(chunk);
        this.follow(next.then);
        return;
      }
    }
    if (chunk && !this.socket.destroyed) this.socket.write(chunk);
    this.arm();
  }

  private follow(then: AfterWrite): void {
    if (then === 'close') this.socket.end();
    else if (then === 'drop') this.socket.destroy();
    else if (then === 'broken') this.socket.end('this is not a TLS handshake\r\n');
    else this.upgrade();
  }

  private upgrade(): void {
    const plain = this.socket;
    plain.removeListener('data', this.onData);
    const secure = new tls.TLSSocket(plain, {
      isServer: true,
      secureContext: this.ctx.secureContext(),
    });
    secure.on('secure', () => {
      // RFC 3207 §4.2: the session starts over; the client must EHLO again.
      this.log.tls = true;
      this.greeted = false;
      this.resetTransaction();
      this.paused = false;
    });
    secure.on('data', this.onData);
    secure.on('error', () => plain.destroy());
    this.socket = secure;
  }
}

function firstCode(text: ReplyText): string {
  return (Array.isArray(text) ? (text[0] ?? '') : text).slice(0, 3);
}

function lookup<V>(
  replies: Record<string, V> | undefined,
  address: string,
  local: string,
): V | undefined {
  if (!replies) return undefined;
  for (const [key, value] of Object.entries(replies)) {
    const k = key.toLowerCase();
    if (k === address || k === local) return value;
  }
  return undefined;
}
