/**
 * `mailvet bulk` as a person runs it: under a real pseudo-terminal (util-linux
 * `script`) the progress is one line redrawn in place — bar, done/total,
 * rate, ETA — ending with one newline; and a run SIGKILLed mid-way is
 * finished by `--resume` with every input row exactly once.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { startDnsServer, type TestDnsServer } from '../world/dns-server.js';
import { sleep, spawnMailvet, stopChild } from '../jobs/crash-world.js';
import { runMailvet } from './run-cli.js';

const ROOT = new URL('../../', import.meta.url).pathname;
/** Every domain answers this late, so a run with --concurrency 1 lasts a while. */
const DNS_DELAY_MS = 100;
const DOMAINS = 60;

let dns: TestDnsServer;
const dir = mkdtempSync(join(tmpdir(), 'mailvet-bulk-tty-'));

before(async () => {
  const zones: Record<string, { delayMs: number; rcode: 'NXDOMAIN' }> = {};
  for (let i = 0; i < DOMAINS; i++)
    zones[`d${i}.slow.test`] = { delayMs: DNS_DELAY_MS, rcode: 'NXDOMAIN' };
  dns = await startDnsServer({ zones });
});
after(async () => {
  await dns.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A CSV of `n` addresses, one domain each (no cache hit shortens the run). */
function writeInput(name: string, n: number): string {
  const rows = ['name,email'];
  for (let i = 0; i < n; i++) rows.push(`p${i},u${i}@d${i}.slow.test`);
  const path = join(dir, name);
  writeFileSync(path, rows.join('\n') + '\n');
  return path;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Run `mailvet <args>` with stdin, stdout and stderr on a new pseudo-terminal; its output as the terminal got it. */
function runOnTerminal(args: string[]): Promise<{ code: number; output: string }> {
  const command = [process.execPath, '--import', 'tsx', 'src/cli/bin.ts', ...args]
    .map(quote)
    .join(' ');
  return new Promise((resolve) => {
    execFile(
      'script',
      ['-qec', command, '/dev/null'],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', TERM: 'xterm' } },
      (err, stdout) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, output: stdout });
      },
    );
  });
}

const FRAME =
  /^\[(#*)(\.*)\] (\d+)\/(\d+) \((\d+)%\) (\d+\.\d)\/s ETA (\d+s|\d+m\d+s|\d+h\d+m|\?)\x1b\[K$/;

test('on a terminal the progress is one line redrawn with \\r, then a final line', async () => {
  const total = 15;
  const input = writeInput('tty-in.csv', total);
  const output = join(dir, 'tty-out.csv');
  const run = await runOnTerminal([
    'bulk',
    input,
    '-o',
    output,
    '--no-smtp',
    '--dns',
    dns.address,
    '--concurrency',
    '1',
  ]);
  assert.equal(run.code, 0, JSON.stringify(run.output));
  // The terminal turns the one "\n" into "\r\n" (onlcr): exactly one line break, at the end.
  assert.equal(run.output.split('\n').length - 1, 1, JSON.stringify(run.output));
  assert.ok(run.output.endsWith('\x1b[K\r\n'), JSON.stringify(run.output.slice(-40)));

  const frames = run.output
    .replace(/\r\n$/, '')
    .split('\r')
    .filter((f) => f !== '');
  // ≈1.5 s of work, a redraw at most every 200 ms: several frames, not one per row.
  assert.ok(frames.length >= 3, `frames: ${JSON.stringify(frames)}`);
  assert.ok(frames.length <= total + 1, `a redraw per row at most: ${frames.length}`);
  let last = 0;
  for (const [i, frame] of frames.entries()) {
    const m = FRAME.exec(frame);
    assert.ok(m, `frame ${i} is a progress line: ${JSON.stringify(frame)}`);
    const [, filled, empty, done, of, pct, rate, eta] = m;
    assert.equal(filled.length + empty.length, 30, 'the bar is 30 wide');
    assert.equal(Number(of), total);
    assert.equal(Number(pct), Math.floor((Number(done) / total) * 100));
    assert.equal(filled.length, Math.round((Number(pct) / 100) * 30));
    assert.ok(Number(done) >= last, 'done never goes back');
    assert.ok(Number(rate) > 0, `rate in ${frame}`);
    last = Number(done);
    // Before the end there is an ETA (the last row's redraw may already say 0s).
    if (Number(done) < total)
      assert.match(eta, /^([1-9]\d*s|\d+m\d+s|\d+h\d+m)$/, `ETA in ${frame}`);
  }
  const final = FRAME.exec(frames.at(-1)!)!;
  assert.deepEqual(
    [final[1].length, final[3], final[5], final[7]],
    [30, String(total), '100', '0s'],
    `final line: ${frames.at(-1)}`,
  );
  assert.equal((parse(readFileSync(output)) as string[][]).length, total + 1);
});

test('--resume after the bulk process was SIGKILLed writes every input row exactly once', async () => {
  const total = DOMAINS;
  const input = writeInput('kill-in.csv', total);
  const output = join(dir, 'kill-out.csv');
  const engine = ['--no-smtp', '--dns', dns.address, '--concurrency', '2'];
  const child = spawnMailvet(['bulk', input, '-o', output, ...engine], {});
  const rowsWritten = () => {
    try {
      return readFileSync(output, 'utf8').split('\n').length - 2; // header, last newline
    } catch {
      return 0;
    }
  };
  const end = Date.now() + 30_000;
  while (rowsWritten() < 10) {
    assert.ok(child.exitCode === null, 'bulk ended before it could be killed');
    assert.ok(Date.now() < end, 'no result rows within 30 s');
    await sleep(20);
  }
  await stopChild(child, 'SIGKILL');
  const atKill = rowsWritten();
  assert.ok(atKill < total, `killed mid-run (${atKill} of ${total} written)`);

  const again = await runMailvet(['bulk', input, '-o', output, '--resume', ...engine]);
  assert.equal(again.code, 0, again.stderr);
  const out = parse(readFileSync(output), { columns: true }) as Record<string, string>[];
  const lines = out.map((r) => Number(r.mv_line)).sort((a, b) => a - b);
  assert.deepEqual(
    lines,
    Array.from({ length: total }, (_, i) => i + 2),
    'each input line exactly once',
  );
  for (const r of out) {
    const i = Number(r.mv_line) - 2;
    assert.equal(r.name, `p${i}`);
    assert.equal(r.email, `u${i}@d${i}.slow.test`);
    assert.equal(r.mv_reason, 'no_such_domain', JSON.stringify(r));
  }
});
