import { isIP, type Socket } from 'node:net';
import tls from 'node:tls';
import { MailvetError } from '../../errors.js';
import { NO_CAPABILITIES, parseCapabilities, type Capabilities } from './capabilities.js';
import { ehloCommand, heloCommand, quitCommand, starttlsCommand } from './command.js';
import type { ResolvedSessionOptions } from './session-options.js';
import { SessionProtocol } from './session-protocol.js';
import { SmtpSessionError } from './session-error.js';
import type { SmtpReply } from './smtp-reply.js';

/** An established session: greeted, EHLO'd and (when possible) encrypted. */
export interface Established {
  protocol: SessionProtocol;
  banner: SmtpReply;
  capabilities: Capabilities;
  tls: boolean;
}

/**
 * Connect, read the banner, EHLO (HELO on a 5xx), and upgrade with STARTTLS
 * when offered and wanted. On failure the connection is closed and an
 * SmtpSessionError says where and how.
 */
export async function establish(
  o: Readonly<ResolvedSessionOptions>,
  starttls: boolean,
): Promise<Established> {
  const socket = await connect(o);
  const protocol = new SessionProtocol(socket, o);
  try {
    const [banner] = await protocol.exchange([{ phase: 'banner', timeoutMs: o.timeouts.bannerMs }]);
    if (!isPositive(banner)) {
      await politeQuit(protocol, o);
      throw new SmtpSessionError('banner', 'rejected', `${banner.code} ${banner.message}`, {
        reply: banner,
      });
    }
    let capabilities = await greet(protocol, o);
    let secure = false;
    if (starttls && capabilities.starttls) {
      const [reply] = await protocol.exchange([
        { command: starttlsCommand(), phase: 'starttls', timeoutMs: o.timeouts.starttlsMs },
      ]);
      // RFC 3207 §4: a 454 refusal leaves the plaintext session usable.
      if (reply.code === 220) {
        protocol.attach(await handshake(protocol.detach(), o));
        secure = true;
        // RFC 3207 §4.2: forget everything learned before TLS and ask again.
        capabilities = await greet(protocol, o);
      }
    }
    return { protocol, banner, capabilities, tls: secure };
  } catch (error) {
    protocol.destroy();
    throw error;
  }
}

async function connect(o: Readonly<ResolvedSessionOptions>): Promise<Socket> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const attempt = o.connect({ host: o.host, port: o.port, signal: controller.signal });
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(
        new SmtpSessionError(
          'connect',
          'timeout',
          `no connection within ${o.timeouts.connectMs} ms`,
        ),
      );
    }, o.timeouts.connectMs);
  });
  try {
    return await Promise.race([attempt, timeout]);
  } catch (error) {
    // A socket that arrives after we gave up must not leak.
    attempt.then((s) => s.destroy(), noop);
    if (error instanceof SmtpSessionError) throw error;
    const code = error instanceof MailvetError ? error.code : null;
    const kind = code === 'MV_ERR_CONNECT_TIMEOUT' ? 'timeout' : 'refused';
    throw new SmtpSessionError('connect', kind, (error as Error)?.message ?? String(error), {
      cause: error,
    });
  } finally {
    clearTimeout(timer);
  }
}

/** EHLO, falling back to HELO when the server does not know EHLO (RFC 5321 §3.2). */
async function greet(
  protocol: SessionProtocol,
  o: Readonly<ResolvedSessionOptions>,
): Promise<Capabilities> {
  const timeoutMs = o.timeouts.ehloMs;
  const [ehlo] = await protocol.exchange([
    { command: ehloCommand(o.heloName), phase: 'ehlo', timeoutMs },
  ]);
  if (isPositive(ehlo)) return parseCapabilities(ehlo);
  if (ehlo.code < 500) {
    await politeQuit(protocol, o);
    throw new SmtpSessionError('ehlo', 'rejected', `${ehlo.code} ${ehlo.message}`, { reply: ehlo });
  }
  const [helo] = await protocol.exchange([
    { command: heloCommand(o.heloName), phase: 'helo', timeoutMs },
  ]);
  if (isPositive(helo)) return { ...NO_CAPABILITIES, raw: [] };
  await politeQuit(protocol, o);
  throw new SmtpSessionError('helo', 'rejected', `${helo.code} ${helo.message}`, { reply: helo });
}

function handshake(socket: Socket, o: Readonly<ResolvedSessionOptions>): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const name = o.servername && isIP(o.servername) === 0 ? o.servername : undefined;
    const secure = tls.connect({
      socket,
      servername: name,
      rejectUnauthorized: o.tlsRejectUnauthorized,
    });
    const timer = setTimeout(() => {
      secure.destroy();
      reject(
        new SmtpSessionError(
          'starttls',
          'timeout',
          `no TLS handshake within ${o.timeouts.starttlsMs} ms`,
        ),
      );
    }, o.timeouts.starttlsMs);
    const onError = (error: Error): void => {
      clearTimeout(timer);
      secure.destroy();
      socket.destroy();
      reject(
        new SmtpSessionError('starttls', 'tls', `TLS handshake failed: ${error.message}`, {
          cause: error,
        }),
      );
    };
    secure.once('error', onError);
    secure.once('secureConnect', () => {
      clearTimeout(timer);
      secure.off('error', onError);
      resolve(secure);
    });
  });
}

/** RFC 5321 §3.1/§4.1.1.10: after a refusal, say QUIT; best effort, bounded by quitMs. */
async function politeQuit(
  protocol: SessionProtocol,
  o: Readonly<ResolvedSessionOptions>,
): Promise<void> {
  try {
    await protocol.exchange([
      { command: quitCommand(), phase: 'quit', timeoutMs: o.timeouts.quitMs },
    ]);
  } catch {
    // The answer to QUIT changes nothing.
  }
  protocol.end();
}

function isPositive(reply: SmtpReply): boolean {
  return reply.code >= 200 && reply.code < 300;
}

function noop(): void {}
