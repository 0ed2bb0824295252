/**
 * `mailvet bulk` against hostile files: formula injection in the result
 * columns, oversized records, and --resume pointed at a file that is not ours.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { startDnsServer } from '../world/dns-server.js';
import { runMailvet } from './run-cli.js';

let dns: Awaited<ReturnType<typeof startDnsServer>>;
const dir = mkdtempSync(join(tmpdir(), 'mailvet-bulk-sec-'));

before(async () => {
  dns = await startDnsServer({
    zones: {
      'gone.test': { rcode: 'NXDOMAIN' },
      'formula.test': { mx: [{ exchange: '-cmd.formula.test', preference: 10 }] },
      '-cmd.formula.test': { a: ['192.0.2.10'] },
    },
  });
});
after(async () => {
  await dns.close();
  rmSync(dir, { recursive: true, force: true });
});

const engine = () => ['--no-smtp', '--dns', dns.address];

function readCsv(path: string): Record<string, string>[] {
  return parse(readFileSync(path), { columns: true, relax_column_count: true }) as Record<
    string,
    string
  >[];
}

function writeInput(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const FORMULA_INPUT = [
  'email,mv_normalized,note',
  '=1+2@gone.test,=SUM(A1),=HYPERLINK("http://evil.test")',
  '-x@gmial.com,+1,@cmd',
  'alice@formula.test,plain,plain',
].join('\n');

test('result cells from untrusted text are defused; input columns are kept byte for byte', async () => {
  const input = writeInput('formula.csv', FORMULA_INPUT + '\n');
  const output = join(dir, 'formula-out.csv');
  const run = await runMailvet(['bulk', input, '-o', output, ...engine()]);
  assert.equal(run.code, 0, run.stderr);
  const rows = parse(readFileSync(output), { relax_column_count: true }) as string[][];
  const header = rows[0];
  const col = (name: string) => header.lastIndexOf(name);
  const [first, second, third] = rows.slice(1);
  // The input's own cells, including its own "mv_normalized" column: untouched.
  assert.deepEqual(first.slice(0, 3), [
    '=1+2@gone.test',
    '=SUM(A1)',
    '=HYPERLINK("http://evil.test")',
  ]);
  assert.deepEqual(second.slice(0, 3), ['-x@gmial.com', '+1', '@cmd']);
  // mailvet's result columns: quoted so a spreadsheet shows text.
  assert.equal(first[col('mv_normalized')], "'=1+2@gone.test");
  assert.equal(second[col('mv_normalized')], "'-x@gmial.com");
  assert.equal(second[col('mv_suggestion')], "'-x@gmail.com");
  assert.equal(third[col('mv_mx')], "'-cmd.formula.test");
  assert.equal(third[col('mv_normalized')], 'alice@formula.test');
});

test('--no-formula-guard writes the raw values for machine consumers', async () => {
  const input = writeInput('formula-raw.csv', FORMULA_INPUT + '\n');
  const output = join(dir, 'formula-raw-out.csv');
  const run = await runMailvet(['bulk', input, '-o', output, '--no-formula-guard', ...engine()]);
  assert.equal(run.code, 0, run.stderr);
  const rows = parse(readFileSync(output), { relax_column_count: true }) as string[][];
  const normalized = rows[0].lastIndexOf('mv_normalized');
  assert.equal(rows[1][normalized], '=1+2@gone.test');
});

test('a 60 kB address is just invalid; an oversized record stops the run before any output', async () => {
  const long = writeInput(
    'long.csv',
    `id,email\n1,a@gone.test\n2,"${'y'.repeat(60_000)}@gone.test"\n3,b@gone.test\n`,
  );
  const longOut = join(dir, 'long-out.csv');
  const ok = await runMailvet(['bulk', long, '-o', longOut, ...engine()]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(
    readCsv(longOut)
      .map((r) => [r.id, r.mv_reason])
      .sort((a, b) => a[0].localeCompare(b[0])),
    [
      ['1', 'no_such_domain'],
      ['2', 'invalid_syntax'],
      ['3', 'no_such_domain'],
    ],
  );

  // csv-parse cannot resync after a record over its cap and silently dropped
  // every later row: refusing the file is the only answer that loses nothing.
  const huge = writeInput(
    'huge.csv',
    `id,email\n1,a@gone.test\n2,${'x'.repeat(1024 * 1024)}@gone.test\n3,b@gone.test\n`,
  );
  const hugeOut = join(dir, 'huge-out.csv');
  const run = await runMailvet(['bulk', huge, '-o', hugeOut, ...engine()]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /line 3: a record is larger than 64 KiB \(65536 bytes\)/);
  assert.equal(existsSync(hugeOut), false);

  // A quote left open runs on into one record over the cap: the same refusal, saying so.
  const unclosed = writeInput(
    'unclosed.csv',
    `id,email\n1,a@gone.test\n2,"b@gone.test\n${'3,c@gone.test\n'.repeat(6000)}`,
  );
  const unclosedOut = join(dir, 'unclosed-out.csv');
  const open = await runMailvet(['bulk', unclosed, '-o', unclosedOut, ...engine()]);
  assert.equal(open.code, 2);
  assert.match(open.stderr, /line \d+: a record is larger than 64 KiB .*a quote .* never closed/);
  assert.equal(existsSync(unclosedOut), false);
});

test('--resume onto a file that is not a mailvet output refuses and leaves it intact', async () => {
  const input = writeInput('resume-in.csv', 'email\na@gone.test\n');
  const precious = 'name,phone\nAnn,555-0100\n';
  const output = writeInput('precious.csv', precious);
  const run = await runMailvet(['bulk', input, '-o', output, '--resume', ...engine()]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /not a mailvet bulk output/);
  assert.equal(readFileSync(output, 'utf8'), precious, 'the file must not be truncated');
});
