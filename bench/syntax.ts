/**
 * Syntax benchmark: addresses per second of parseAddress on one core, next to
 * validator's isEmail on the same inputs, plus the cost of one call on hostile
 * 100 kB inputs. Prints a markdown table.
 *
 *   npx tsx bench/syntax.ts
 *
 * The corpus is generated from a fixed seed, so every run parses the same
 * strings. Figures vary with the machine; read them side by side.
 */
import { performance } from 'node:perf_hooks';
import validatorLib from 'validator';
import { createLists } from '../src/verify/lists/index.js';
import { parseAddress } from '../src/verify/syntax/index.js';

const CORPUS_SIZE = 20_000;
const SEED = 0x5eed;
/** Each throughput figure is the best of this many timed passes over the corpus. */
const PASSES = 5;
const WARMUP_PASSES = 2;
const HOSTILE_LENGTH = 100_000;
const HOSTILE_WARMUP_CALLS = 500;
const HOSTILE_BATCH = 50;
const HOSTILE_MIN_MS = 300;

/** mulberry32: small, fast, deterministic. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ['john', 'maria', 'wei', 'fatima', 'olga', 'raj', 'kim', 'lucas', 'amelie', 'sven'];
const LAST = ['smith', 'garcia', 'zhang', 'khan', 'ivanova', 'patel', 'lee', 'silva', 'dubois'];
const DOMAINS = ['gmail.com', 'outlook.com', 'example.org', 'mail.company.co.uk', 'yahoo.com'];
const IDN = [
  'josé@bücher.de',
  '用户@例子.广告',
  'müller@straße.example',
  'δοκιμή@παράδειγμα.δοκιμή',
];
const IDN_DOMAINS = ['bücher.de', '例子.广告', 'пример.рф', 'mañana.es'];
const INVALID = [
  'john.smith@',
  '@example.com',
  'john..smith@example.com',
  'john smith@example.com',
  'john@exam_ple.com',
  'john@-example.com',
  '"unclosed@example.com',
  'john@example.com.',
  'john(comment)@example.com',
  'john@[300.1.1.1]',
  'john@example.com\r\nRCPT TO:<x@y>',
  'plainaddress',
];

function corpus(): string[] {
  const next = random(SEED);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const out: string[] = [];
  for (let i = 0; i < CORPUS_SIZE; i++) {
    const roll = next();
    const local = `${pick(FIRST)}.${pick(LAST)}${Math.floor(next() * 100)}`;
    if (roll < 0.6) out.push(`${local}${next() < 0.2 ? '+news' : ''}@${pick(DOMAINS)}`);
    else if (roll < 0.7) out.push(pick(IDN));
    else if (roll < 0.75) out.push(`${local}@${pick(IDN_DOMAINS)}`);
    else out.push(pick(INVALID).replace('john', pick(FIRST)));
  }
  return out;
}

function throughput(inputs: string[], check: (s: string) => boolean): number {
  let best = Infinity;
  let accepted = 0;
  for (let pass = 0; pass < WARMUP_PASSES + PASSES; pass++) {
    const start = performance.now();
    accepted = 0;
    for (const input of inputs) if (check(input)) accepted++;
    const elapsed = performance.now() - start;
    if (pass >= WARMUP_PASSES) best = Math.min(best, elapsed);
  }
  if (accepted === 0) throw new Error('nothing accepted: the corpus is broken');
  return inputs.length / (best / 1000);
}

/** Mean time of one call once warm, over at least HOSTILE_MIN_MS of calls. */
function perCallMicros(input: string, check: (s: string) => boolean): number {
  for (let i = 0; i < HOSTILE_WARMUP_CALLS; i++) check(input);
  let calls = 0;
  const start = performance.now();
  let elapsed: number;
  do {
    for (let i = 0; i < HOSTILE_BATCH; i++) check(input);
    calls += HOSTILE_BATCH;
    elapsed = performance.now() - start;
  } while (elapsed < HOSTILE_MIN_MS);
  return (elapsed * 1000) / calls;
}

const mailvet = (s: string): boolean => parseAddress(s).ok;
const lists = createLists();
/** Parse, then ask the static lists (disposable, free, role, typo) about valid addresses. */
const mailvetWithLists = (s: string): boolean => {
  const parsed = parseAddress(s);
  if (!parsed.ok) return false;
  return !lists.check(parsed.address).disposable;
};
const validator = (s: string): boolean => validatorLib.isEmail(s, { allow_utf8_local_part: true });

const inputs = corpus();
const agree = inputs.filter((s) => mailvet(s) === validator(s)).length;
const rows: string[] = [
  '| case | mailvet parseAddress | validator isEmail |',
  '|---|---|---|',
  `| mixed corpus (${CORPUS_SIZE} addresses: 60% valid, 15% IDN, 25% invalid) | ${fmt(throughput(inputs, mailvet))} addr/s | ${fmt(throughput(inputs, validator))} addr/s |`,
];
const hostile: Array<[string, string]> = [
  [`${HOSTILE_LENGTH.toLocaleString('en')} × 'a'`, 'a'.repeat(HOSTILE_LENGTH)],
  [
    `${HOSTILE_LENGTH.toLocaleString('en')} × 'a' + '@example.com'`,
    `${'a'.repeat(HOSTILE_LENGTH)}@example.com`,
  ],
  [
    `'"\\\\' repeated to ${HOSTILE_LENGTH.toLocaleString('en')} chars + '@x.com'`,
    `${'"\\'.repeat(HOSTILE_LENGTH / 2)}@x.com`,
  ],
  [
    `'a.' repeated to ${HOSTILE_LENGTH.toLocaleString('en')} chars + '@x.com'`,
    `${'a.'.repeat(HOSTILE_LENGTH / 2)}@x.com`,
  ],
  [
    `'a@' + 'a.' repeated to ${HOSTILE_LENGTH.toLocaleString('en')} chars`,
    `a@${'a.'.repeat(HOSTILE_LENGTH / 2)}`,
  ],
  [
    `${HOSTILE_LENGTH.toLocaleString('en')} spaces around 'a@example.com' (trimmed)`,
    `${' '.repeat(HOSTILE_LENGTH / 2)}a@example.com${' '.repeat(HOSTILE_LENGTH / 2)}`,
  ],
  // Just under mailvet's early cut-off (1,016 code units), so these are fully scanned.
  [`1,000 × 'a' + '@x.com' (scanned, not cut off)`, `${'a'.repeat(1000)}@x.com`],
  [`'"\\' repeated to 1,000 chars + '@x.com' (scanned)`, `${'"\\'.repeat(500)}@x.com`],
  [`'a@' + 'a.' repeated to 1,000 chars + 'com' (scanned)`, `a@${'a.'.repeat(500)}com`],
];
for (const [name, input] of hostile) {
  rows.push(
    `| ${name} | ${perCallMicros(input, mailvet).toFixed(1)} µs/call | ${perCallMicros(input, validator).toFixed(1)} µs/call |`,
  );
}
rows.push(
  `| syntax + lists (createLists().check on each valid address), mixed corpus | ${fmt(throughput(inputs, mailvetWithLists))} addr/s | — |`,
);

console.log(rows.join('\n'));
console.log(`\nmailvet and validator agree on ${agree} of ${inputs.length} corpus inputs.`);
console.log(`Node ${process.version}, ${process.platform}/${process.arch}, one thread.`);

function fmt(perSecond: number): string {
  return Math.round(perSecond).toLocaleString('en');
}
