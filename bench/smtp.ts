/**
 * SMTP engine benchmark (design.md §4): mailvet's pooled, pipelined prober
 * against one-connection-per-address, on a loopback world of scripted peers
 * (127.0.20.x–127.0.40.x:25) with per-reply latency R. No DNS: routes are given.
 *
 *   npx tsx bench/smtp.ts [--latency 20] [--concurrency 64]
 */
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { createSocketFactory } from '../src/verify/smtp/connect.js';
import { createSmtpProber } from '../src/verify/smtp/prober.js';
import { runBaseline, type BenchVerdict } from './smtp/baseline.js';
import {
  formulaRoundTrips,
  oneProviderList,
  roundTripsSeen,
  skewedList,
  startWorld,
  type BenchList,
} from './smtp/world.js';

const { values } = parseArgs({
  options: {
    latency: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '64' },
  },
});
const LATENCY_MS = Number(values.latency);
const CONCURRENCY = Number(values.concurrency);
const M = 100;
const HELO = 'bench.mailvet.test';
const FROM = 'probe@bench.mailvet.test';
const connect = createSocketFactory({ allowPrivate: true, connectTimeoutMs: 5_000 });

interface Row {
  list: string;
  engine: string;
  addresses: number;
  seconds: number;
  connections: number;
  roundTrips: number;
  formula: number | null;
}

async function runMailvet(list: BenchList): Promise<{ verdicts: BenchVerdict[]; row: Row }> {
  const world = await startWorld(list, LATENCY_MS);
  const prober = createSmtpProber({
    heloName: HELO,
    mailFrom: FROM,
    connect,
    maxSessions: CONCURRENCY,
    maxRecipientsPerTransaction: M,
  });
  const started = performance.now();
  const verdicts = await Promise.all(
    list.items.map(async (item) => {
      const v = await prober.probe({
        address: {
          input: item.email,
          localPart: item.localPart,
          domain: item.domain,
          asciiDomain: item.domain,
          addressLiteral: null,
          normalized: item.email,
          smtputf8: false,
        },
        hosts: item.hosts,
      });
      return { outcome: v.outcome, catchAll: v.catchAll };
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await prober.close();
  const seen = roundTripsSeen(world);
  await world.close();
  return {
    verdicts,
    row: {
      list: list.name,
      engine: 'mailvet (pooled + pipelined)',
      addresses: list.items.length,
      seconds,
      connections: seen.connections,
      roundTrips: seen.roundTrips,
      formula: formulaRoundTrips(list, M),
    },
  };
}

async function runOnePerAddress(list: BenchList): Promise<{ verdicts: BenchVerdict[]; row: Row }> {
  const world = await startWorld(list, LATENCY_MS);
  const started = performance.now();
  const verdicts = await runBaseline(list.items, {
    concurrency: CONCURRENCY,
    connect,
    heloName: HELO,
    mailFrom: FROM,
  });
  const seconds = (performance.now() - started) / 1000;
  const seen = roundTripsSeen(world);
  await world.close();
  return {
    verdicts,
    row: {
      list: list.name,
      engine: 'baseline (1 connection / address)',
      addresses: list.items.length,
      seconds,
      connections: seen.connections,
      roundTrips: seen.roundTrips,
      formula: null,
    },
  };
}

function compare(a: BenchVerdict[], b: BenchVerdict[]): number {
  let differences = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i].outcome !== b[i].outcome || a[i].catchAll !== b[i].catchAll) differences++;
  }
  return differences;
}

const rows: string[] = [];
const ratios: string[] = [];
for (const list of [skewedList(), oneProviderList()]) {
  const mailvet = await runMailvet(list);
  const baseline = await runOnePerAddress(list);
  const diff = compare(mailvet.verdicts, baseline.verdicts);
  if (diff > 0) console.error(`${list.name}: ${diff} verdicts differ between engines`);
  for (const { row } of [mailvet, baseline]) {
    const n = row.addresses;
    rows.push(
      `| ${row.list} | ${row.engine} | ${n} | ${(n / row.seconds).toFixed(0)} | ` +
        `${(row.connections / n).toFixed(3)} | ${(row.roundTrips / n).toFixed(3)} | ` +
        `${row.formula === null ? '—' : `${row.formula} (${(row.roundTrips / row.formula).toFixed(2)}×)`} |`,
    );
  }
  // design.md §4: one connection per address without pipelining costs k·(S + 2 + p).
  const unpipelined = list.items.length * (3 + 2 + 1);
  ratios.push(
    `- ${list.name}: ${(baseline.row.roundTrips / mailvet.row.roundTrips).toFixed(1)}× fewer round trips than the baseline ` +
      `(${(unpipelined / mailvet.row.roundTrips).toFixed(1)}× fewer than the unpipelined k·(S+2+p) = ${unpipelined}), ` +
      `${(mailvet.row.addresses / mailvet.row.seconds / (baseline.row.addresses / baseline.row.seconds)).toFixed(1)}× the throughput; ` +
      `verdicts identical: ${diff === 0 ? 'yes' : `NO (${diff} differ)`}`,
  );
}

console.log(
  `\nSMTP engine, R = ${LATENCY_MS} ms per reply, ${CONCURRENCY} connections at most, m = ${M}\n`,
);
console.log(
  '| list | engine | addresses | addresses/s | connections/address | round trips/address | formula limit Σ S+⌈(k+p)/m⌉ (measured ÷ limit) |',
);
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
console.log('');
for (const r of ratios) console.log(r);
