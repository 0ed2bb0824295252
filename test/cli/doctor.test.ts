import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo, Socket } from 'node:net';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import dns2 from 'dns2';
import { doctorCommand } from '../../src/cli/commands/doctor.js';
import type { CliIo } from '../../src/cli/cli-io.js';
import type { DoctorReport } from '../../src/doctor/doctor-report.js';
import { runDoctor } from '../../src/doctor/run-doctor.js';
import { startSocks5Server } from '../world/socks5-server.js';

/**
 * `mailvet doctor` against real loopback servers: a TCP "mail host" that
 * greets, a closed port, and a DNS server with the A, PTR, MX and TXT records
 * the HELO and MAIL FROM checks look up.
 */

const { Packet } = dns2;
const HELO = 'mx.doctor.example.net';
const PUBLIC_IP = '203.0.113.7';

type Record = { type: number; [field: string]: unknown };
const ZONE: { [name: string]: Record[] } = {
  'mx.doctor.example.net': [{ type: Packet.TYPE.A, address: PUBLIC_IP }],
  '7.113.0.203.in-addr.arpa': [{ type: Packet.TYPE.PTR, domain: HELO }],
  'doctor.example.net': [
    { type: Packet.TYPE.MX, exchange: HELO, priority: 10 },
    { type: Packet.TYPE.TXT, data: 'v=spf1 ip4:203.0.113.7 -all' },
  ],
  'nospf.doctor.example.net': [{ type: Packet.TYPE.A, address: PUBLIC_IP }],
};

let dns: ReturnType<typeof dns2.createServer>;
let dnsAddress: string;
let peer: { port: number; connections: () => number; close: () => Promise<void> };

before(async () => {
  dns = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      const question = request.questions[0];
      const records = ZONE[question.name.toLowerCase()];
      if (!records) response.header.rcode = 3; // NXDOMAIN
      for (const r of records ?? []) {
        if (r.type === question.type) {
          const answer = { name: question.name, class: Packet.CLASS.IN, ttl: 60, ...r };
          response.answers.push(answer as unknown as (typeof response.answers)[number]);
        }
      }
      void send(response);
    },
  });
  await dns.listen({ udp: { port: 0, address: '127.0.0.1' } });
  const { port } = dns.addresses().udp as AddressInfo;
  dnsAddress = `127.0.0.1:${port}`;

  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.write('220 loopback.doctor.example.net ESMTP ready\r\n');
    socket.on('data', (d) => {
      if (String(d).startsWith('QUIT')) socket.end('221 bye\r\n');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  peer = {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
});

after(async () => {
  await peer.close();
  await dns.close();
});

async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const good = () => ({
  dnsServers: [dnsAddress],
  heloName: HELO,
  mailFrom: 'verify@doctor.example.net',
  publicIp: PUBLIC_IP,
  timeoutMs: 2000,
});

const statusOf = (report: DoctorReport, id: string) =>
  report.checks.find((c) => c.id === id)?.status;

test('a reachable target, matching FCrDNS and a real sender pass', async () => {
  const before = peer.connections();
  const report = await runDoctor({ ...good(), targets: [`127.0.0.1:${peer.port}`] });
  assert.deepEqual(
    report.checks.map((c) => [c.id, c.status]),
    [
      ['port25', 'pass'],
      ['helo', 'pass'],
      ['mail_from', 'pass'],
    ],
  );
  assert.equal(report.ok, true);
  assert.equal(report.probes[0].result, 'reachable');
  assert.equal(report.probes[0].detail, '220 loopback.doctor.example.net ESMTP ready');
  assert.equal(peer.connections(), before + 1);
});

test('a closed port is reported blocked with port-25 advice, and the run fails', async () => {
  const report = await runDoctor({ ...good(), targets: [`127.0.0.1:${await closedPort()}`] });
  const port25 = report.checks[0];
  assert.equal(port25.status, 'fail');
  assert.equal(report.probes[0].result, 'blocked');
  assert.equal(report.probes[0].detail, 'MV_ERR_CONNECT_REFUSED');
  assert.ok(port25.advice.some((a) => a.includes('--proxy socks5://')));
  assert.equal(report.ok, false);
});

test('one reachable and one blocked target is a warning, not a failure', async () => {
  const report = await runDoctor({
    ...good(),
    targets: [`127.0.0.1:${peer.port}`, `127.0.0.1:${await closedPort()}`],
  });
  assert.equal(statusOf(report, 'port25'), 'warn');
  assert.equal(report.ok, true);
});

test('a target name that does not resolve is a DNS failure', async () => {
  const report = await runDoctor({ ...good(), targets: ['nowhere.doctor.example.net:25'] });
  assert.equal(report.probes[0].result, 'dns_failure');
  assert.equal(statusOf(report, 'port25'), 'fail');
});

test('a PTR that does not match the HELO name fails the HELO check', async () => {
  const report = await runDoctor({
    ...good(),
    publicIp: '203.0.113.8',
    targets: [`127.0.0.1:${peer.port}`],
  });
  const helo = report.checks.find((c) => c.id === 'helo')!;
  assert.equal(helo.status, 'fail');
  assert.match(helo.summary, /PTR of 203\.0\.113\.8 is not mx\.doctor\.example\.net/);
  assert.match(helo.summary, /does not resolve to 203\.0\.113\.8/);
});

test('without a known public IP the reverse-DNS half is unknown, not failed', async () => {
  const report = await runDoctor({
    ...good(),
    publicIp: null,
    targets: [`127.0.0.1:${peer.port}`],
  });
  assert.equal(statusOf(report, 'helo'), 'unknown');
  assert.equal(report.ok, true);
});

test('localhost HELO, an unresolvable HELO and bad senders are caught', async () => {
  const targets = [`127.0.0.1:${peer.port}`];
  const r1 = await runDoctor({
    ...good(),
    targets,
    heloName: 'localhost',
    mailFrom: 'verify@localhost',
  });
  assert.equal(statusOf(r1, 'helo'), 'fail');
  assert.equal(statusOf(r1, 'mail_from'), 'fail');
  const r2 = await runDoctor({
    ...good(),
    targets,
    heloName: 'ghost.doctor.example.net',
    mailFrom: 'a@nodomain.doctor.example.net',
  });
  assert.equal(statusOf(r2, 'helo'), 'fail');
  assert.equal(statusOf(r2, 'mail_from'), 'fail');
  const r3 = await runDoctor({ ...good(), targets, mailFrom: 'a@nospf.doctor.example.net' });
  assert.equal(statusOf(r3, 'mail_from'), 'warn');
  const r4 = await runDoctor({ ...good(), targets, mailFrom: 'not-an-address' });
  assert.equal(statusOf(r4, 'mail_from'), 'fail');
  const r5 = await runDoctor({ ...good(), targets, mailFrom: 'verify@mailer.test' });
  assert.equal(statusOf(r5, 'mail_from'), 'fail');
});

test('with --proxy the connection goes through the SOCKS5 proxy', async () => {
  const proxy = await startSocks5Server();
  try {
    const report = await runDoctor({
      ...good(),
      proxy: proxy.url,
      targets: [`127.0.0.1:${peer.port}`],
    });
    assert.equal(statusOf(report, 'port25'), 'pass');
    assert.deepEqual(proxy.requests, [{ host: '127.0.0.1', port: peer.port, user: null }]);
  } finally {
    await proxy.close();
  }
});

test('invalid options are rejected', async () => {
  await assert.rejects(runDoctor({ ...good(), targets: ['bad target:99999'] }), {
    code: 'MV_ERR_INVALID_ARGUMENT',
  });
  await assert.rejects(runDoctor({ ...good(), publicIp: 'my-ip' }), {
    code: 'MV_ERR_INVALID_ARGUMENT',
  });
});

function testIo(env: NodeJS.ProcessEnv = {}): { io: CliIo; output: () => string } {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (d) => (text += String(d)));
  return {
    io: { stdin: new PassThrough(), stdout, stderr: new PassThrough(), env },
    output: () => text,
  };
}

async function runCommand(args: string[], env: NodeJS.ProcessEnv = {}) {
  const { io, output } = testIo(env);
  await doctorCommand(io).parseAsync(args, { from: 'user' });
  return { exitCode: io.exitCode, output: output() };
}

test('the command prints JSON, reads MAILVET_* env and exits 0 when nothing fails', async () => {
  const { exitCode, output } = await runCommand(
    ['--target', `127.0.0.1:${peer.port}`, '--public-ip', PUBLIC_IP, '--json', '--timeout', '2000'],
    { MAILVET_DNS: dnsAddress, MAILVET_HELO: HELO, MAILVET_FROM: 'verify@doctor.example.net' },
  );
  assert.equal(exitCode, 0);
  const report = JSON.parse(output) as DoctorReport;
  assert.equal(report.ok, true);
  assert.equal(report.checks.length, 3);
});

test('the command prints advice and exits 1 when port 25 is blocked', async () => {
  const { exitCode, output } = await runCommand([
    '--target',
    `127.0.0.1:${await closedPort()}`,
    '--dns',
    dnsAddress,
    '--helo',
    HELO,
    '--from',
    'verify@doctor.example.net',
    '--public-ip',
    PUBLIC_IP,
  ]);
  assert.equal(exitCode, 1);
  assert.match(output, /\[FAIL\] Outbound SMTP \(port 25\)/);
  assert.match(output, /block outbound TCP port 25/);
  assert.match(output, /\[ ok \] HELO name and reverse DNS/);
});
