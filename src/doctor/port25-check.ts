import type { Socket } from 'node:net';
import { isIP } from 'node:net';
import type { SocketFactory } from '../verify/smtp/socket-factory.js';
import type { DoctorCheck, TargetProbe } from './doctor-report.js';
import type { DoctorResolver } from './doctor-resolver.js';
import { dnsErrorCode } from './doctor-resolver.js';

/**
 * Mail domains whose MX hosts the check tries when no `--target` is given:
 * large providers that are up, reachable from everywhere and answer on 25.
 */
export const WELL_KNOWN_MAIL_DOMAINS: readonly string[] = Object.freeze([
  'gmail.com',
  'outlook.com',
  'yahoo.com',
  'icloud.com',
]);
/** At most this many targets per run (they are tried in parallel). */
export const MAX_TARGETS = 20;
/** A banner longer than this is cut; only its first line is shown anyway. */
const MAX_BANNER_BYTES = 4096;

/** A `--target host[:port]` (IPv6 as `[addr]:port`), or a domain to look up MX for. */
export interface PortTarget {
  host: string;
  port: number;
  /** Set when `host` must be found by MX lookup of this domain first. */
  mxOf?: string;
}

/** Parses `host`, `host:port`, `1.2.3.4:25`, `::1`, `[::1]:25`. Throws on nonsense. */
export function parseTarget(text: string, defaultPort: number): PortTarget {
  const trimmed = text.trim();
  let host = trimmed;
  let port = defaultPort;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed);
  if (bracket) {
    host = bracket[1];
    if (bracket[2] !== undefined) port = Number(bracket[2]);
  } else if (isIP(trimmed) !== 6) {
    const at = trimmed.lastIndexOf(':');
    if (at !== -1) {
      host = trimmed.slice(0, at);
      port = /^\d{1,5}$/.test(trimmed.slice(at + 1)) ? Number(trimmed.slice(at + 1)) : NaN;
    }
  }
  if (!host || /[\s/@]/.test(host) || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`invalid target "${text}": expected host[:port]`);
  }
  return { host, port };
}

async function resolveAddress(host: string, resolver: DoctorResolver): Promise<string> {
  if (isIP(host) !== 0) return host;
  try {
    const v4 = await resolver.resolve4(host);
    if (v4.length > 0) return v4[0];
  } catch (err) {
    // No A record: a mail host may be IPv6-only; anything else is a DNS failure.
    if (dnsErrorCode(err) !== 'ENODATA') throw err;
  }
  const v6 = await resolver.resolve6(host);
  if (v6.length === 0) throw Object.assign(new Error('no address'), { code: 'ENODATA' });
  return v6[0];
}

/** Reads the first complete reply line from the server, or null when none comes in time. */
function readBannerLine(socket: Socket, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    let text = '';
    const finish = (line: string | null) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      resolve(line);
    };
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\n');
      if (end !== -1) finish(text.slice(0, end).replace(/\r$/, ''));
      else if (text.length > MAX_BANNER_BYTES) finish(text.slice(0, 200));
    };
    const onClose = () => finish(text ? text.trim() : null);
    const timer = setTimeout(() => finish(null), timeoutMs);
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.on('error', () => undefined);
  });
}

async function probe(
  target: PortTarget,
  connect: SocketFactory,
  resolver: DoctorResolver,
  timeoutMs: number,
): Promise<TargetProbe> {
  const base = { domain: target.mxOf ?? null, port: target.port, localAddress: null };
  let host = target.host;
  if (target.mxOf) {
    try {
      const mx = await resolver.resolveMx(target.mxOf);
      mx.sort((a, b) => a.priority - b.priority);
      if (mx.length === 0 || !mx[0].exchange) throw Object.assign(new Error(), { code: 'ENODATA' });
      host = mx[0].exchange;
    } catch (err) {
      return {
        ...base,
        host: target.mxOf,
        address: null,
        result: 'dns_failure',
        detail: `MX lookup: ${dnsErrorCode(err)}`,
      };
    }
  }
  let address: string;
  try {
    address = await resolveAddress(host, resolver);
  } catch (err) {
    return {
      ...base,
      host,
      address: null,
      result: 'dns_failure',
      detail: `address lookup: ${dnsErrorCode(err)}`,
    };
  }
  let socket: Socket;
  try {
    socket = await connect({ host: address, port: target.port });
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'error';
    return {
      ...base,
      host,
      address,
      result: code === 'MV_ERR_PROXY' ? 'proxy_error' : 'blocked',
      detail: code,
    };
  }
  const localAddress = socket.localAddress ?? null;
  const banner = await readBannerLine(socket, timeoutMs);
  if (!socket.destroyed) socket.end('QUIT\r\n');
  socket.destroy();
  return {
    ...base,
    host,
    address,
    localAddress,
    result: 'reachable',
    detail: banner ?? 'connected, but no banner within the timeout',
  };
}

const BLOCKED_ADVICE = [
  'Most cloud and many residential providers block outbound TCP port 25 (Google Cloud always; AWS EC2, Azure, DigitalOcean, Hetzner and others by default).',
  'Ask your provider to lift the block (AWS: the "remove email sending limitations" request; others: a support ticket), or',
  'run mailvet from a host that can reach port 25, or tunnel through one: --proxy socks5://user:pass@relay-host:1080 (e.g. a dante server, or `ssh -N -D 1080 user@relay-host`).',
];

/**
 * Can this host open TCP connections to port 25 of real mail hosts? Resolves
 * each target with the configured DNS, connects (through the proxy, if any),
 * reads the banner and quits politely.
 */
export async function checkPort25(
  targets: readonly PortTarget[],
  connect: SocketFactory,
  resolver: DoctorResolver,
  timeoutMs: number,
): Promise<{ check: DoctorCheck; probes: TargetProbe[] }> {
  const probes = await Promise.all(targets.map((t) => probe(t, connect, resolver, timeoutMs)));
  const count = (r: TargetProbe['result']) => probes.filter((p) => p.result === r).length;
  const reachable = count('reachable');
  const details = probes.map((p) => {
    const where = `${p.host}${p.address && p.address !== p.host ? ` (${p.address})` : ''}:${p.port}`;
    const via = p.domain && p.domain !== p.host ? `${p.domain} → ` : '';
    return `${via}${p.address || !p.domain ? where : `MX of ${p.domain}`}: ${p.result} — ${p.detail}`;
  });
  const advice: string[] = [];
  if (count('blocked') > 0) {
    const timeouts = probes.some((p) => p.detail === 'MV_ERR_CONNECT_TIMEOUT');
    if (timeouts)
      advice.push('Timeouts usually mean a firewall silently drops outgoing SYNs to port 25.');
    advice.push(...BLOCKED_ADVICE);
  }
  if (count('proxy_error') > 0)
    advice.push(
      'The SOCKS5 proxy failed: check its address, credentials and that it allows CONNECT to port 25.',
    );
  if (count('dns_failure') > 0)
    advice.push('Some names did not resolve: check the DNS servers (--dns, MAILVET_DNS).');

  let status: DoctorCheck['status'];
  let summary: string;
  if (reachable === probes.length) {
    status = 'pass';
    summary = `all ${probes.length} mail host(s) reachable on port 25`;
  } else if (reachable > 0) {
    status = 'warn';
    summary = `${reachable} of ${probes.length} mail hosts reachable`;
  } else {
    status = 'fail';
    summary = `no mail host reachable (${probes.length} tried)`;
  }
  return {
    check: { id: 'port25', title: 'Outbound SMTP (port 25)', status, summary, details, advice },
    probes,
  };
}
