/**
 * How `mailvet bulk` reads its input: the rules it shares with job imports
 * (src/csv/csv-dialect.ts) — sniffed or given delimiter, blank lines,
 * unreadable headers, UTF-8 — run through the CLI as a user runs it.
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
const dir = mkdtempSync(join(tmpdir(), 'mailvet-bulk-dialect-'));

before(async () => {
  dns = await startDnsServer({ zones: { 'gone.test': { rcode: 'NXDOMAIN' } } });
});
after(async () => {
  await dns.close();
  rmSync(dir, { recursive: true, force: true });
});

const engine = () => ['--no-smtp', '--dns', dns.address];

/** The output as rows of cells: always comma-separated, whatever the input used. */
function readOutput(path: string): string[][] {
  return parse(readFileSync(path), { relax_column_count: true }) as string[][];
}

function writeInput(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

/** Run bulk on `content`; the output's header and its rows as name → value. */
async function bulk(name: string, content: string | Buffer, args: string[] = []) {
  const input = writeInput(`${name}.csv`, content);
  const output = join(dir, `${name}-out.csv`);
  const run = await runMailvet(['bulk', input, '-o', output, ...args, ...engine()]);
  assert.equal(run.code, 0, run.stderr);
  const [header, ...rows] = readOutput(output);
  // Rows are written as their results finish: back in input order by mv_line.
  const named = rows
    .map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ''])))
    .sort((a, b) => Number(a.mv_line) - Number(b.mv_line));
  return { header: header!, rows: named, stderr: run.stderr };
}

test('a semicolon- or tab-separated file is sniffed from its header line; the output is comma-separated', async () => {
  // Excel's "CSV UTF-8" where the decimal mark is a comma: BOM, `;`, CRLF.
  const semi = await bulk('semi', '\ufeffemail;name\r\na@gone.test;"Doe, A"\r\nb@gone.test;B\r\n');
  assert.deepEqual(semi.header.slice(0, 3), ['email', 'name', 'mv_line']);
  assert.deepEqual(
    semi.rows.map((r) => [r.email, r.name, r.mv_reason]),
    [
      ['a@gone.test', 'Doe, A', 'no_such_domain'],
      ['b@gone.test', 'B', 'no_such_domain'],
    ],
  );
  const tab = await bulk('tab', 'name\temail\nAnn\ta@gone.test\n');
  assert.deepEqual(tab.header.slice(0, 2), ['name', 'email']);
  assert.deepEqual(
    tab.rows.map((r) => [r.name, r.email, r.mv_reason]),
    [['Ann', 'a@gone.test', 'no_such_domain']],
  );
});

test('--delimiter overrides the sniff: , ; tab; anything else is a usage error', async () => {
  // One column in the header: nothing to sniff, so it reads as commas.
  const text = 'email\na@gone.test;x\n';
  const sniffed = await bulk('one-col', text);
  assert.equal(sniffed.rows[0]!.mv_reason, 'invalid_syntax', 'the address is `a@gone.test;x`');
  const given = await bulk('one-col-semi', text, ['--delimiter', ';']);
  assert.deepEqual(
    given.rows.map((r) => [r.email, r.mv_reason]),
    [['a@gone.test', 'no_such_domain']],
  );
  // A tab file whose header has more commas than tabs.
  const tab = await bulk('tab-forced', 'email\tnote, with, commas\na@gone.test\tx,y\n', [
    '--delimiter',
    'tab',
  ]);
  assert.deepEqual(
    tab.rows.map((r) => [r.email, r['note, with, commas'], r.mv_reason]),
    [['a@gone.test', 'x,y', 'no_such_domain']],
  );
  const bad = await runMailvet([
    'bulk',
    writeInput('bad-delim.csv', text),
    '-o',
    join(dir, 'bad-delim-out.csv'),
    '--delimiter',
    '|',
    ...engine(),
  ]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--delimiter.*use , ; or tab/);
  assert.equal(existsSync(join(dir, 'bad-delim-out.csv')), false);
});

test('blank lines are not rows; a line of only delimiters is', async () => {
  const { rows, stderr } = await bulk(
    'blank',
    '\nid,email\n\n1,a@gone.test\n\n\r\n\r\n,\n\n2,b@gone.test\r\n\n',
  );
  assert.deepEqual(
    rows.map((r) => [r.id, r.email, r.mv_reason]),
    [
      ['1', 'a@gone.test', 'no_such_domain'],
      ['', '', 'invalid_syntax'],
      ['2', 'b@gone.test', 'no_such_domain'],
    ],
  );
  assert.match(stderr, /progress 3\/3 \(100%\)/);
});

test('a header row that cannot be read stops the run instead of a data row becoming the header', async () => {
  const input = writeInput('bad-header.csv', '"email,name\na@gone.test,A\nb@gone.test,B\n');
  const output = join(dir, 'bad-header-out.csv');
  const run = await runMailvet(['bulk', input, '-o', output, ...engine()]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /the header row cannot be read: .*nothing was verified/);
  assert.equal(existsSync(output), false);
  // A stray quote inside a header name is just part of the name.
  const stray = await bulk('stray-header', 'e"mail,email\nx,a@gone.test\n');
  assert.deepEqual(stray.header.slice(0, 2), ['e"mail', 'email']);
  assert.equal(stray.rows.length, 1);
});

test('input is read as UTF-8: bytes that are not UTF-8 become U+FFFD (as documented)', async () => {
  const { rows } = await bulk(
    'latin1',
    Buffer.from('email,name\na@gone.test,M\xfcller\n', 'latin1'),
  );
  assert.equal(rows[0]!.name, 'M\ufffdller');
});
