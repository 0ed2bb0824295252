/**
 * HTTP benchmark: requests/s and latency of `POST /v1/verify` answered from
 * the result cache, and of `GET /health/live`, with autocannon on the same
 * machine as the server. The server runs in a child process (so the load
 * generator does not share its event loop) with the full production stack:
 * SQLite store, key auth, per-key rate limit, audit rows + log lines,
 * metrics. Prints a markdown table.
 *
 *   npm run bench -- http [--duration 10] [--connections 32] [--only verify]
 *                         [--pipelining 4] [--no-reference]
 *
 * After mailvet, the same cases run against bare fastify answering with the
 * same bytes (`--no-reference` skips it): the ceiling of this machine and
 * load generator, to read mailvet's own figures against.
 *
 * The key's rate policy is set high so the limiter is exercised but never
 * refuses. Log lines go to /dev/null (formatting them is still paid for).
 *
 * Besides req/s and latency, each row gives the CPU time the server process
 * and the load generator spent per request. On a 2-core box the two compete
 * (and so does anything else running), so req/s moves with the machine's
 * load; server CPU per request is the steadier figure to compare changes by.
 * `--pipelining n` adds extra rows with n requests in flight per connection
 * (an upper bound, not how HTTP clients normally talk). `BENCH_PROF=<dir>`
 * writes a V8 CPU profile of the server child into that directory.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { defaultConfig } from '../src/config.js';
import { buildApp } from '../src/server/app.js';
import { createKeyService } from '../src/server/keys/key-service.js';
import { bufferedDestination, createLogger } from '../src/observability/logger.js';
import { openStore } from '../src/store/open-store.js';
import { startDnsServer } from '../test/world/dns-server.js';
import { createTestVerifier } from '../test/server/fixtures/server-harness.js';

const DEFAULT_DURATION_S = 10;
const DEFAULT_CONNECTIONS = 32;
const WARMUP_S = 2;
const CACHED_ADDRESS = 'bench.user@example.test';
/** Line the parent sends to ask the server child for its CPU usage so far. */
const CPU_QUERY = 'cpu';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/**
 * Child mode: run the server, print its URL and a key, answer each `cpu` line
 * on stdin with its process.cpuUsage(), serve until stdin closes.
 */
async function serve(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mailvet-bench-'));
  const dns = await startDnsServer({
    zones: { 'example.test': { mx: [{ exchange: 'mx.example.test', preference: 10 }] } },
  });
  const config = defaultConfig({
    'dns.servers': [dns.address],
    'smtp.enabled': false,
    'server.resultCacheTtlSeconds': 3600,
    logLevel: 'info',
  });
  const store = await openStore({ dataDir, migrate: true });
  const keyService = createKeyService(store);
  const { key } = await keyService.create({
    name: 'bench',
    scopes: ['verify'],
    rate: '100000000/day',
  });
  const verifier = createTestVerifier(config);
  const logger = createLogger({
    level: 'info',
    // The service's own buffered destination, pointed at /dev/null.
    destination: bufferedDestination('/dev/null'),
  });
  const app = await buildApp({ config, verifier, store, keyService, logger });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  // Warm the cache: the measured requests are all hits.
  const warm = await app.inject({
    method: 'POST',
    url: '/v1/verify',
    headers: { authorization: `Bearer ${key}` },
    payload: { email: CACHED_ADDRESS },
  });
  if (warm.statusCode !== 200) throw new Error(`warm-up failed: ${warm.statusCode} ${warm.body}`);
  process.stdout.write(JSON.stringify({ url: `http://127.0.0.1:${port}`, key }) + '\n');
  const input = createInterface({ input: process.stdin });
  input.on('line', (line) => {
    if (line === CPU_QUERY) process.stdout.write(JSON.stringify(process.cpuUsage()) + '\n');
  });
  await once(input, 'close');
  await app.close();
  await verifier.close();
  await store.close();
  await dns.close();
  rmSync(dataDir, { recursive: true, force: true });
}

/**
 * Reference mode: bare fastify (no logger, hooks, auth, limits, audit or
 * metrics) answering the same two routes with the same bytes — the ceiling
 * this machine and load generator allow, so mailvet's figures can be read
 * against it. The first stdin line is the cached verify response body.
 */
async function serveBare(): Promise<void> {
  const input = createInterface({ input: process.stdin });
  const lines = input[Symbol.asyncIterator]();
  const body = String((await lines.next()).value);
  const app = Fastify();
  app.post('/v1/verify', (request, reply) => {
    // Touch the parsed body as the real route does.
    if (typeof (request.body as { email?: unknown }).email !== 'string') reply.code(400);
    reply.type('application/json; charset=utf-8').send(body);
  });
  app.get('/health/live', (_request, reply) => reply.send({ status: 'ok' }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(JSON.stringify({ url: `http://127.0.0.1:${port}`, key: '' }) + '\n');
  for await (const line of lines) {
    if (line === CPU_QUERY) process.stdout.write(JSON.stringify(process.cpuUsage()) + '\n');
  }
  await app.close();
}

/** A server child (`--serve` or `--bare`) and the means to read its CPU time. */
async function startChild(mode: '--serve' | '--bare', firstLine?: string) {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : []),
      // Compiled by scripts/bench.sh: run the child as plain JavaScript too.
      ...(import.meta.url.endsWith('.ts') ? ['--import', 'tsx'] : []),
      fileURLToPath(import.meta.url),
      mode,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  if (firstLine !== undefined) child.stdin!.write(firstLine + '\n');
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const nextLine = async (): Promise<string> => {
    const { value, done } = await lines.next();
    if (done) throw new Error('the server child exited');
    return value;
  };
  const { url, key } = JSON.parse(await nextLine()) as { url: string; key: string };
  return {
    url,
    key,
    async cpu(): Promise<number> {
      child.stdin!.write(CPU_QUERY + '\n');
      const { user, system } = JSON.parse(await nextLine()) as NodeJS.CpuUsage;
      return user + system;
    },
    async stop(): Promise<void> {
      child.stdin!.end();
      await once(child, 'exit');
    },
  };
}

async function run(): Promise<void> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string' },
      connections: { type: 'string' },
      only: { type: 'string' },
      pipelining: { type: 'string' },
      'no-reference': { type: 'boolean' },
    },
  });
  const duration = Number(values.duration ?? DEFAULT_DURATION_S);
  const connections = Number(values.connections ?? DEFAULT_CONNECTIONS);
  const pipelining = Number(values.pipelining ?? 1);
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const ownCpu = (): number => {
    const { user, system } = process.cpuUsage();
    return user + system;
  };
  const rows: string[] = [];
  /** Measure both cases against one server child; rows are labelled with `label`. */
  const measure = async (server: Awaited<ReturnType<typeof startChild>>, label: string) => {
    const cases = [
      {
        name: 'POST /v1/verify (cached)',
        opts: {
          url: `${server.url}/v1/verify`,
          method: 'POST',
          headers: { authorization: `Bearer ${server.key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ email: CACHED_ADDRESS }),
        },
      },
      { name: 'GET /health/live', opts: { url: `${server.url}/health/live` } },
    ];
    const depths = pipelining > 1 ? [1, pipelining] : [1];
    for (const c of cases.filter((k) => !values.only || k.name.includes(values.only!))) {
      for (const depth of depths) {
        const opts = { ...c.opts, connections, pipelining: depth };
        await autocannon({ ...opts, duration: WARMUP_S });
        const [server0, own0] = [await server.cpu(), ownCpu()];
        const r = await autocannon({ ...opts, duration });
        const [server1, own1] = [await server.cpu(), ownCpu()];
        const perRequest = (us: number) => (us / Math.max(1, r.requests.total)).toFixed(0);
        const name = `${label}${c.name}${depth > 1 ? `, pipelining ${depth} (extra)` : ''}`;
        rows.push(
          `| ${name} | ${Math.round(r.requests.average).toLocaleString('en')} | ${r.latency.p50} | ${r.latency.p99} | ${perRequest(server1 - server0)} | ${perRequest(own1 - own0)} | ${r.requests.total.toLocaleString('en')} | ${r.non2xx + r.errors} |`,
        );
      }
    }
  };

  const mailvet = await startChild('--serve');
  const cachedBody = await (
    await fetch(`${mailvet.url}/v1/verify`, {
      method: 'POST',
      headers: { authorization: `Bearer ${mailvet.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: CACHED_ADDRESS }),
    })
  ).text();
  await measure(mailvet, '');
  await mailvet.stop();
  if (!values['no-reference']) {
    const bare = await startChild('--bare', cachedBody);
    await measure(bare, 'reference, bare fastify: ');
    await bare.stop();
  }
  console.log(
    `\nHTTP benchmark: ${connections} connections, ${duration} s per case (after ${WARMUP_S} s warm-up), node ${process.version}, load average before start ${load}\n`,
  );
  console.log(
    '| case | req/s | p50 ms | p99 ms | server CPU µs/req | load generator CPU µs/req | requests | non-2xx/errors |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) console.log(row);
}

if (process.argv.includes('--serve')) await serve();
else if (process.argv.includes('--bare')) await serveBare();
else await run();
