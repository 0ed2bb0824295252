/**
 * Bulk jobs benchmark: `npm run bench -- bulk [rows] [--postgres]` (compiled, as
 * production runs; `npx tsx bench/bulk.ts` works too, with ~35 MB more RSS).
 *
 * 1. SMTP off: generate a CSV of `rows` rows (default 1,000,000) in a temp
 *    dir, import it as a job (rows/s), export it as CSV (rows/s); peak RSS of
 *    the process throughout. Targets: import >= 50,000 rows/s, RSS < 300 MB.
 * 2. SMTP on against loopback peers with per-reply latency (127.0.30.x):
 *    the same addresses through a job and its in-process workers vs
 *    `verifyMany` called directly. Target: job within 1.5× of verifyMany.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore } from '../src/store/open-store.js';
import { JobService } from '../src/jobs/job-service.js';
import { startWorkers } from '../src/jobs/start-workers.js';
import { defaultConfig } from '../src/config.js';
import { createDefaultVerifier } from '../src/verify/default-verifier.js';
import { createLogger } from '../src/observability/logger.js';
import { startDnsServer, type Zones } from '../test/world/dns-server.js';
import { startSmtpPeer, type SmtpPeer } from '../test/world/smtp-peer.js';
import type { Store } from '../src/store/store.js';

const rows = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const usePostgres = process.argv.includes('--postgres');
const PG_URL = process.env.MAILVET_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SMTP_DOMAINS = 20;
const SMTP_ADDRESSES = 2000;
const SMTP_LATENCY_MS = 20;

const mb = (b: number) => `${(b / 1048576).toFixed(0)} MB`;
let peakRss = 0;
/** The V8 heap at the peak: tells JS data from native memory when RSS is high. */
let peakAt = '';
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  if (m.rss <= peakRss) return;
  peakRss = m.rss;
  peakAt = `(V8 heap ${mb(m.heapUsed)} used of ${mb(m.heapTotal)})`;
}, 50);
const rate = (n: number, ms: number) =>
  `${Math.round((n / ms) * 1000).toLocaleString('en')} rows/s`;

async function openBenchStore(dir: string): Promise<{ store: Store; drop: () => Promise<void> }> {
  if (!usePostgres) {
    return { store: await openStore({ dataDir: dir, migrate: true }), drop: async () => {} };
  }
  const schema = `mv_bench_${randomBytes(4).toString('hex')}`;
  const store = await openStore({ databaseUrl: PG_URL, schema, migrate: true });
  return {
    store,
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
}

async function importExport(dir: string): Promise<void> {
  const csvPath = path.join(dir, 'list.csv');
  const out = createWriteStream(csvPath);
  out.write('id,email,first_name,company\n');
  for (let i = 0; i < rows; i++) {
    const line = `${i},user${i}@d${i % 5000}.example,Name${i},Company ${i % 977}\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');

  const { store, drop } = await openBenchStore(dir);
  const config = defaultConfig({
    'jobs.maxRows': 100_000_000,
    'jobs.maxUploadBytes': 10 * 1024 ** 3,
  });
  const service = new JobService({ db: store.db, adapter: store.adapter, jobs: config.jobs });
  const rssBefore = process.memoryUsage().rss;
  let t = performance.now();
  const { job } = await service.create({
    owner: 'bench',
    options: { smtp: false },
    input: { kind: 'csv', body: createReadStream(csvPath) },
  });
  const importMs = performance.now() - t;
  const importPeak = peakRss;
  const importPeakAt = peakAt;
  peakRss = 0;
  t = performance.now();
  let exported = 0;
  const sink = createWriteStream(path.join(dir, 'out.csv'));
  for await (const chunk of await service.export('bench', job.id, 'csv')) {
    exported += chunk.split('\n').length - 1;
    if (!sink.write(chunk)) await once(sink, 'drain');
  }
  sink.end();
  await once(sink, 'close');
  const exportMs = performance.now() - t;
  t = performance.now();
  const view = await service.get('bench', job.id);
  const progressMs = performance.now() - t;
  console.log(`dialect: ${store.adapter.dialectName}, rows: ${rows.toLocaleString('en')}`);
  console.log(
    `import: ${rate(rows, importMs)} (${(importMs / 1000).toFixed(1)} s; job ${view.counts.total} items)`,
  );
  console.log(`export: ${rate(exported - 1, exportMs)} (${(exportMs / 1000).toFixed(1)} s)`);
  console.log(`progress query (GET /v1/jobs/{id}): ${progressMs.toFixed(0)} ms`);
  console.log(
    `RSS before import: ${mb(rssBefore)}; peak RSS: import ${mb(importPeak)} ${importPeakAt}, export ${mb(peakRss)} ${peakAt}`,
  );
  await store.close();
  await drop();
}

async function smtpThroughput(dir: string): Promise<void> {
  const zones: Zones = {};
  const peers: SmtpPeer[] = [];
  const emails: string[] = [];
  for (let d = 0; d < SMTP_DOMAINS; d++) {
    const ip = `127.0.30.${d + 1}`;
    const domain = `b${d}.bulk.bench`;
    zones[domain] = { mx: [{ exchange: `mx.${domain}`, preference: 10 }] };
    zones[`mx.${domain}`] = { a: [ip] };
    const accept: string[] = [];
    for (let i = d; i < SMTP_ADDRESSES; i += SMTP_DOMAINS) {
      const email = `user${i}@${domain}`;
      emails.push(email);
      if (i % 10 < 7) accept.push(email);
    }
    peers.push(await startSmtpPeer({ host: ip, port: 25, accept, latencyMs: SMTP_LATENCY_MS }));
  }
  const dns = await startDnsServer({ zones });
  const config = defaultConfig({
    'dns.servers': [dns.address],
    'smtp.allowPrivateMx': true,
    'smtp.port': 25,
    'jobs.pollIntervalMs': 20,
    'jobs.batchSize': 100,
    'jobs.workers': 8,
  });

  let verifier = createDefaultVerifier(config);
  let t = performance.now();
  let direct = 0;
  for await (const _ of verifier.verifyMany(emails)) direct++;
  const directMs = performance.now() - t;
  await verifier.close();

  const { store, drop } = await openBenchStore(path.join(dir, 'smtp'));
  verifier = createDefaultVerifier(config);
  const service = new JobService({ db: store.db, adapter: store.adapter, jobs: config.jobs });
  const workers = startWorkers({
    store,
    verifier,
    jobs: config.jobs,
    smtpDefault: true,
    log: createLogger({ level: 'silent' }),
  });
  t = performance.now();
  const { job } = await service.create({
    owner: 'bench',
    options: { smtp: true },
    input: { kind: 'emails', emails },
  });
  for (;;) {
    const v = await service.get('bench', job.id);
    if (v.state === 'completed') break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const jobMs = performance.now() - t;
  await workers.stop();
  await verifier.close();
  await store.close();
  await drop();
  await dns.close();
  for (const p of peers) await p.close();
  console.log(
    `SMTP on (${SMTP_ADDRESSES} addresses, ${SMTP_DOMAINS} domains, ${SMTP_LATENCY_MS} ms per reply):`,
  );
  console.log(
    `  verifyMany directly: ${rate(direct, directMs)} (${(directMs / 1000).toFixed(2)} s)`,
  );
  console.log(
    `  job + in-process workers: ${rate(emails.length, jobMs)} (${(jobMs / 1000).toFixed(2)} s) — ${(jobMs / directMs).toFixed(2)}× verifyMany`,
  );
}

const dir = mkdtempSync(path.join(tmpdir(), 'mailvet-bench-bulk-'));
try {
  await importExport(dir);
  await smtpThroughput(dir);
} finally {
  clearInterval(sampler);
  rmSync(dir, { recursive: true, force: true });
}
