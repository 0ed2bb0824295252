/**
 * SMTP engine benchmark (design.md §4): mailvet's pooled, pipelined prober
 * against two one-connection-per-address baselines — lockstep (what
 * open-source verifiers do) and pipelined (mailvet's own SmtpSession) — on a
 * loopback world of scripted peers (127.0.20.x–127.0.40.x:25) with latency R
 * per reply and per TCP connect. No DNS: routes are given.
 *
 *   npx tsx bench/smtp.ts [--latency 20] [--concurrency 64] [--repeat 3] [--shapes]
 */
import { parseArgs } from 'node:util';
import { createSocketFactory } from '../src/verify/smtp/connect.js';
import { differences, type BenchVerdict } from './smtp/bench-verdict.js';
import { withConnectLatency } from './smtp/connect-latency.js';
import { ENGINES, measure, type EngineSettings, type Measurement } from './smtp/engines.js';
import { pooledLimit } from './smtp/round-trips.js';
import { oneProviderList, skewedList, type BenchList } from './smtp/world.js';

const { values } = parseArgs({
  options: {
    latency: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '64' },
    repeat: { type: 'string', default: '3' },
    shapes: { type: 'boolean', default: false },
  },
});
const LATENCY_MS = positive('latency', values.latency, 0);
const CONCURRENCY = positive('concurrency', values.concurrency, 1);
const REPEAT = positive('repeat', values.repeat, 1);
/** m: recipients per transaction (RFC 5321 §4.5.3.1.8 guarantees 100). */
const M = 100;
const settings: EngineSettings = {
  connect: withConnectLatency(
    createSocketFactory({ allowPrivate: true, connectTimeoutMs: 5_000 }),
    LATENCY_MS,
  ),
  heloName: 'bench.mailvet.test',
  mailFrom: 'probe@bench.mailvet.test',
  concurrency: CONCURRENCY,
  maxRecipients: M,
};

function positive(name: string, raw: string | undefined, min: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return n;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const fmt = (x: number, digits: number): string => x.toFixed(digits);

const table: string[] = [
  '| list | engine | addresses/s (median) | connections/address | RTT/address | RTT total | own model | formula limit Σ S+⌈(k+p)/m⌉ | measured ÷ limit | × fewer RTT than lockstep | × fewer RTT than pipelined | × throughput of lockstep |',
  '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
];
const checks: string[] = [];

async function benchList(list: BenchList): Promise<void> {
  const runs = new Map<string, Measurement[]>(ENGINES.map((e) => [e.id, []]));
  // Interleaved, so machine load drifting during the run hits every engine alike.
  for (let r = 0; r < REPEAT; r++) {
    for (const engine of ENGINES)
      runs.get(engine.id)!.push(await measure(engine, list, LATENCY_MS, settings));
  }
  const n = list.items.length;
  const limit = pooledLimit(list, M);
  const rtt = (id: string): number => median(runs.get(id)!.map((m) => m.count.roundTrips));
  const rate = (id: string): number => median(runs.get(id)!.map((m) => n / m.seconds));
  for (const engine of ENGINES) {
    const ms = runs.get(engine.id)!;
    const trips = ms.map((m) => m.count.roundTrips);
    const spread =
      Math.min(...trips) === Math.max(...trips)
        ? ''
        : ` (${Math.min(...trips)}–${Math.max(...trips)})`;
    table.push(
      `| ${list.name} | ${engine.label} | ${fmt(rate(engine.id), 0)} | ` +
        `${fmt(median(ms.map((m) => m.count.connections)) / n, 3)} | ${fmt(rtt(engine.id) / n, 3)} | ` +
        `${rtt(engine.id)}${spread} | ${engine.model(list, settings)} | ${limit} | ${fmt(rtt(engine.id) / limit, 2)}× | ` +
        `${fmt(rtt('lockstep') / rtt(engine.id), 1)}× | ${fmt(rtt('pipelined') / rtt(engine.id), 1)}× | ` +
        `${fmt(rate(engine.id) / rate('lockstep'), 1)}× |`,
    );
    if (values.shapes) {
      const shapes = [...ms[0].shapes].sort((a, b) => b[1] - a[1]).slice(0, 8);
      console.log(`${list.name} / ${engine.id}: ${shapes.map(([k, v]) => `${k} ${v}`).join(', ')}`);
    }
  }
  checks.push(verdictCheck(list, runs));
}

/** Every run of every engine must match the world's script, hence each other. */
function verdictCheck(list: BenchList, runs: Map<string, Measurement[]>): string {
  const expected: BenchVerdict[] = list.items.map((i) => i.expected);
  const problems: string[] = [];
  for (const engine of ENGINES) {
    for (const [r, m] of runs.get(engine.id)!.entries()) {
      const diff = differences(expected, m.verdicts);
      if (diff.length > 0) {
        const i = diff[0];
        problems.push(
          `${engine.id} run ${r + 1}: ${diff.length} differ (first ${list.items[i].email}: ` +
            `${JSON.stringify(m.verdicts[i])} ≠ ${JSON.stringify(expected[i])})`,
        );
      }
    }
  }
  const total = list.items.length;
  const accepted = expected.filter((v) => v.outcome === 'accepted').length;
  const engines = ENGINES.map((e) => e.id).join(' = ');
  return problems.length === 0
    ? `- verdict check ${list.name}: OK — ${engines} = script on ${total}/${total} addresses ` +
        `(outcome + catch-all; ${accepted} accepted, ${total - accepted} mailbox_not_found) in all ${REPEAT} runs`
    : `- verdict check ${list.name}: FAILED — ${problems.join('; ')}`;
}

for (const list of [skewedList(), oneProviderList()]) await benchList(list);

console.log(
  `\nSMTP engine: R = ${LATENCY_MS} ms per reply and per TCP connect, ${CONCURRENCY} connections ` +
    `at most for every engine, m = ${M}, S = 3, p = 1; wall clock = median of ${REPEAT} interleaved runs\n`,
);
for (const row of table) console.log(row);
console.log('');
for (const c of checks) console.log(c);
if (checks.some((c) => c.includes('FAILED'))) process.exitCode = 1;
