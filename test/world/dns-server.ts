/**
 * A real authoritative DNS server on loopback for tests (UDP and TCP on one
 * port, built on dns2's wire codec). Point a resolver at `server.address`.
 *
 * ```ts
 * const dns = await startDnsServer({
 *   zones: {
 *     'example.test': { mx: [{ exchange: 'mx1.example.test', preference: 10 }] },
 *     'mx1.example.test': { a: ['127.0.1.5'], aaaa: ['::1'], ttl: 60 },
 *     'nomx.test': { a: ['127.0.1.6'] },              // implicit MX
 *     'nullmx.test': { mx: [{ exchange: '.', preference: 0 }] }, // RFC 7505
 *     'empty.test': {},                                // NODATA for every type
 *     'gone.test': { rcode: 'NXDOMAIN' },
 *     'broken.test': { rcode: 'SERVFAIL' },
 *     'slow.test': { delayMs: 3000, mx: [...] },       // answers late
 *     'dead.test': { drop: true },                     // never answers
 *     'flaky.test': { dropFirst: 1, mx: [...] },       // first query per type is lost
 *     'half.test': { a: ['127.0.1.7'], byType: { AAAA: { rcode: 'SERVFAIL' } } },
 *   },
 * });
 * const resolver = createMailResolver({ servers: [dns.address] });
 * dns.queries('example.test', 'MX'); // how many MX queries reached the server
 * dns.setZone('example.test', { rcode: 'NXDOMAIN' }); // change records at runtime
 * await dns.close();
 * ```
 *
 * Semantics:
 * - Names are matched case-insensitively, without the trailing dot.
 * - A name absent from `zones` answers NXDOMAIN, unless some zone name lies
 *   below it (an empty non-terminal), which answers NODATA as real DNS does.
 * - A listed name without records of the asked type answers NOERROR with no
 *   answers (NODATA) and an SOA in the authority section (RFC 2308).
 * - `rcode`, `delayMs`, `drop`, `dropFirst` and `ttl` apply to every type;
 *   `byType` overrides them per query type (`MX`, `A`, `AAAA`, …).
 * - `queries(name, type)` counts every query received, answered or not.
 * - `close()` cancels pending delayed answers and closes both sockets.
 */
import dns2 from 'dns2';
import type { AddressInfo, Socket } from 'node:net';

const { Packet, UDPServer, TCPServer } = dns2;
type DnsPacket = InstanceType<typeof Packet>;

/** Answer codes a zone entry can force. NODATA = NOERROR with no answer. */
export type ZoneRcode =
  'NOERROR' | 'NODATA' | 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED' | 'NOTIMP' | 'FORMERR';

/** How to answer queries of one type (or, at the top of a zone entry, all types). */
export interface ZoneBehaviour {
  /** Force this response code instead of answering from records. */
  rcode?: ZoneRcode;
  /** Wait this long before answering (the client may have given up by then). */
  delayMs?: number;
  /** Never answer. */
  drop?: boolean;
  /** Lose the first N queries (per name and type), answer the rest: exercises retries. */
  dropFirst?: number;
  /** TTL of records and of the negative-answer SOA, seconds. Default 300. */
  ttl?: number;
}

/** Records and behaviour of one name. */
export interface ZoneEntry extends ZoneBehaviour {
  /** MX records; exchange '.' (or '') makes a null MX. */
  mx?: { exchange: string; preference: number }[];
  a?: string[];
  aaaa?: string[];
  /** Per query type overrides, e.g. `{ AAAA: { rcode: 'SERVFAIL' } }`. */
  byType?: Partial<Record<string, ZoneBehaviour>>;
}

export type Zones = Record<string, ZoneEntry>;

export interface DnsServerOptions {
  zones?: Zones;
  /** Bind address; default 127.0.0.1 (tests share it on ephemeral ports). */
  host?: string;
  /** Port for both UDP and TCP; default 0 = a free ephemeral port. */
  port?: number;
}

export interface TestDnsServer {
  host: string;
  port: number;
  /** `host:port` (or `[v6]:port`), ready for `createMailResolver({ servers: [address] })`. */
  address: string;
  /** Queries received for `name` of `type` ('MX', 'A', 'AAAA', …), case-insensitive. */
  queries(name: string, type: string): number;
  /** Queries received in total. */
  totalQueries(): number;
  /** Queries that arrived over TCP (c-ares switches to TCP when a UDP answer is truncated). */
  tcpQueries(): number;
  /** Forget all query counts. */
  resetQueries(): void;
  /** Replace (or, with `undefined`, remove) a name's entry; takes effect on the next query. */
  setZone(name: string, entry: ZoneEntry | undefined): void;
  close(): Promise<void>;
}

const DEFAULT_TTL_SECONDS = 300;
/** Attempts to find an ephemeral port free for both UDP and TCP. */
const BIND_ATTEMPTS = 20;

const RCODE: Record<Exclude<ZoneRcode, 'NODATA'>, number> = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
};
const TYPE_NAME = new Map<number, string>(
  Object.entries(Packet.TYPE).map(([name, code]) => [code as number, name]),
);

const canonical = (name: string): string => name.toLowerCase().replace(/\.+$/, '');

/** Start the server; resolves once both sockets listen. */
export async function startDnsServer(options: DnsServerOptions = {}): Promise<TestDnsServer> {
  const host = options.host ?? '127.0.0.1';
  const zones = new Map<string, ZoneEntry>();
  for (const [name, entry] of Object.entries(options.zones ?? {}))
    zones.set(canonical(name), entry);
  const counts = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  let total = 0;

  let overTcp = 0;
  const handle: Handler = (request, send, transport) => {
    const question = request.questions[0];
    if (question === undefined) return;
    const name = canonical(question.name);
    const type = TYPE_NAME.get(question.type) ?? String(question.type);
    const key = `${name} ${type}`;
    const seen = (counts.get(key) ?? 0) + 1;
    counts.set(key, seen);
    total++;
    if (transport === 'tcp') overTcp++;

    const entry = zones.get(name);
    const behaviour: ZoneBehaviour = { ...entry, ...entry?.byType?.[type] };
    if (behaviour.drop === true || seen <= (behaviour.dropFirst ?? 0)) return;
    const response = answer(request, name, type, entry, behaviour, zones);
    // dns2's TCP send returns nothing, its UDP send a promise: normalise both.
    const reply = () =>
      void Promise.resolve()
        .then(() => send(response))
        .catch(() => undefined);
    if ((behaviour.delayMs ?? 0) <= 0) return reply();
    const timer = setTimeout(() => {
      timers.delete(timer);
      reply();
    }, behaviour.delayMs);
    timers.add(timer);
  };

  const { udp, tcp, port } = await bindBoth(host, options.port ?? 0, handle);
  const sockets = new Set<Socket>();
  tcp.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  return {
    host,
    port,
    address: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`,
    queries: (name, type) => counts.get(`${canonical(name)} ${type.toUpperCase()}`) ?? 0,
    totalQueries: () => total,
    tcpQueries: () => overTcp,
    resetQueries: () => {
      counts.clear();
      total = 0;
      overTcp = 0;
    },
    setZone: (name, entry) => {
      if (entry === undefined) zones.delete(canonical(name));
      else zones.set(canonical(name), entry);
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]);
    },
  };
}

function answer(
  request: DnsPacket,
  name: string,
  type: string,
  entry: ZoneEntry | undefined,
  behaviour: ZoneBehaviour,
  zones: Map<string, ZoneEntry>,
): DnsPacket {
  const response = Packet.createResponseFromRequest(request);
  response.header.aa = 1;
  const question = request.questions[0];
  const ttl = behaviour.ttl ?? DEFAULT_TTL_SECONDS;
  const base = { name: question.name, class: Packet.CLASS.IN, ttl };

  if (entry === undefined) {
    const emptyNonTerminal = [...zones.keys()].some((zone) => zone.endsWith(`.${name}`));
    if (!emptyNonTerminal) response.header.rcode = RCODE.NXDOMAIN;
    response.authorities.push(soa(question.name, ttl));
    return response;
  }
  if (behaviour.rcode !== undefined && behaviour.rcode !== 'NOERROR') {
    if (behaviour.rcode !== 'NODATA') {
      response.header.rcode = RCODE[behaviour.rcode];
      return response;
    }
  } else {
    const records = recordsOf(entry, type);
    for (const record of records) response.answers.push({ ...base, ...record } as never);
  }
  if (response.answers.length === 0) response.authorities.push(soa(question.name, ttl));
  return response;
}

function recordsOf(entry: ZoneEntry, type: string): object[] {
  switch (type) {
    case 'MX':
      return (entry.mx ?? []).map((mx) => ({
        type: Packet.TYPE.MX,
        exchange: mx.exchange === '.' ? '' : mx.exchange,
        priority: mx.preference,
      }));
    case 'A':
      return (entry.a ?? []).map((address) => ({ type: Packet.TYPE.A, address }));
    case 'AAAA':
      return (entry.aaaa ?? []).map((address) => ({ type: Packet.TYPE.AAAA, address }));
    default:
      return [];
  }
}

/** RFC 2308: a negative answer carries the zone's SOA; its minimum is the negative TTL. */
function soa(name: string, ttl: number): never {
  return {
    name,
    type: Packet.TYPE.SOA,
    class: Packet.CLASS.IN,
    ttl,
    primary: 'ns.test',
    admin: 'hostmaster.test',
    serial: 1,
    refresh: 3600,
    retry: 600,
    expiration: 86400,
    minimum: ttl,
  } as never;
}

type Handler = (
  request: DnsPacket,
  send: (response: DnsPacket) => unknown,
  transport: 'udp' | 'tcp',
) => void;

/** UDP on an ephemeral port, then TCP on the same number (c-ares retries truncated answers there). */
async function bindBoth(host: string, port: number, handle: Handler) {
  const type = host.includes(':') ? 'udp6' : 'udp4';
  for (let attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
    const udp = new UDPServer({ type });
    udp.on('request', ((request: DnsPacket, send: (r: DnsPacket) => unknown) =>
      handle(request, send, 'udp')) as never);
    udp.on('requestError', () => undefined);
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(port, host, () => resolve());
    });
    udp.on('error', () => undefined);
    const bound = (udp.address() as AddressInfo).port;
    const tcp = new TCPServer();
    tcp.on('request', ((request: DnsPacket, send: (r: DnsPacket) => unknown) =>
      handle(request, send, 'tcp')) as never);
    tcp.on('requestError', () => undefined);
    const ok = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(bound, host, () => resolve(true));
    });
    if (ok) return { udp, tcp, port: bound };
    await new Promise<void>((resolve) => udp.close(() => resolve()));
    if (port !== 0) break;
  }
  throw new Error(`test DNS server: could not bind UDP and TCP on ${host}:${port}`);
}
