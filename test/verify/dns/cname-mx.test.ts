/**
 * CNAMEs in the mail route (review). An MX target that is a CNAME violates
 * RFC 2181 §10.3 but is common; a domain that is itself a CNAME is legal.
 * Neither may be read as "no mail server". The shared test DNS server has no
 * CNAME records, so this file answers with a minimal dns2 UDP server of its
 * own, the way a recursive resolver does: the chain plus the final records.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import dns2 from 'dns2';
import { createMailResolver } from '../../../src/verify/dns/index.js';

const { Packet, UDPServer } = dns2;
type DnsPacket = InstanceType<typeof Packet>;

const TTL = 300;
let server: InstanceType<typeof UDPServer>;
let address = '';

function respond(request: DnsPacket): DnsPacket {
  const response = Packet.createResponseFromRequest(request);
  const q = request.questions[0];
  const name = q.name.toLowerCase().replace(/\.$/, '');
  const base = { class: Packet.CLASS.IN, ttl: TTL };
  const cname = (from: string, to: string) =>
    response.answers.push({ ...base, name: from, type: Packet.TYPE.CNAME, domain: to } as never);
  if (q.type === Packet.TYPE.MX && name === 'cname-mx.test') {
    response.answers.push({
      ...base,
      name,
      type: Packet.TYPE.MX,
      priority: 10,
      exchange: 'alias.cname-mx.test',
    } as never);
  } else if (name === 'alias.cname-mx.test') {
    cname(name, 'real.cname-mx.test');
    if (q.type === Packet.TYPE.A) {
      response.answers.push({
        ...base,
        name: 'real.cname-mx.test',
        type: Packet.TYPE.A,
        address: '192.0.2.30',
      } as never);
    }
  } else if (q.type === Packet.TYPE.MX && name === 'alias-domain.test') {
    cname(name, 'target-domain.test');
    response.answers.push({
      ...base,
      name: 'target-domain.test',
      type: Packet.TYPE.MX,
      priority: 5,
      exchange: 'mx.target-domain.test',
    } as never);
  } else if (q.type === Packet.TYPE.A && name === 'mx.target-domain.test') {
    response.answers.push({ ...base, name, type: Packet.TYPE.A, address: '192.0.2.31' } as never);
  } else if (name !== 'mx.target-domain.test') {
    response.header.rcode = 3; // NXDOMAIN
  }
  return response;
}

before(async () => {
  server = new UDPServer({ type: 'udp4' });
  server.on(
    'request',
    ((request: DnsPacket, send: (r: DnsPacket) => unknown) =>
      void Promise.resolve(send(respond(request))).catch(() => undefined)) as never,
  );
  await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', () => resolve()));
  address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

test("a CNAME'd MX target resolves through the chain to its addresses", async () => {
  const resolver = createMailResolver({ servers: [address], timeoutMs: 1_000, tries: 1 });
  try {
    const route = await resolver.resolveMail('cname-mx.test');
    assert.equal(route.kind, 'mx', JSON.stringify(route));
    assert.deepEqual(route.kind === 'mx' && route.hosts, [
      { exchange: 'alias.cname-mx.test', preference: 10, addresses: ['192.0.2.30'] },
    ]);
  } finally {
    await resolver.close();
  }
});

test('a domain that is a CNAME gets the MX of its target', async () => {
  const resolver = createMailResolver({ servers: [address], timeoutMs: 1_000, tries: 1 });
  try {
    const route = await resolver.resolveMail('alias-domain.test');
    assert.equal(route.kind, 'mx', JSON.stringify(route));
    assert.deepEqual(route.kind === 'mx' && route.hosts[0].addresses, ['192.0.2.31']);
  } finally {
    await resolver.close();
  }
});
