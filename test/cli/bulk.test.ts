import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, truncateSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { startDnsServer } from '../world/dns-server.js';
import { runMailvet } from './run-cli.js';

let dns: Awaited<ReturnType<typeof startDnsServer>>;
const dir = mkdtempSync(join(tmpdir(), 'mailvet-bulk-'));

before(async () => {
  dns = await startDnsServer({
    zones: {
      'mx.test': { mx: [{ exchange: 'mx1.mx.test', preference: 10 }] },
      'mx1.mx.test': { a: ['192.0.2.10'] },
      'gone.test': { rcode: 'NXDOMAIN' },
      'nullmx.test': { mx: [{ exchange: '.', preference: 0 }] },
    },
  });
});
after(() => dns.close());

const engine = () => ['--no-smtp', '--dns', dns.address];

function readCsv(path: string): Record<string, string>[] {
  return parse(readFileSync(path), { columns: true }) as Record<string, string>[];
}

function writeInput(name: string, rows: string[]): string {
  const p = join(dir, name);
  writeFileSync(p, rows.join('\n') + '\n');
  return p;
}

test('bulk keeps every input column and adds the result columns, one row per input row', async () => {
  const rows = ['Name,Email Address,Notes'];
  for (let i = 0; i < 40; i++)
    rows.push(`P${i},user${i}@${['mx.test', 'gone.test', 'nullmx.test'][i % 3]},"note, ${i}"`);
  const input = writeInput('in.csv', rows);
  const output = join(dir, 'out.csv');
  const run = await runMailvet(['bulk', input, '-o', output, ...engine()]);
  assert.equal(run.code, 0, run.stderr);
  const out = readCsv(output);
  assert.equal(out.length, 40);
  const byName = new Map(out.map((r) => [r.Name, r]));
  assert.equal(byName.get('P1')!.mv_reason, 'no_such_domain');
  assert.equal(byName.get('P2')!.mv_reason, 'null_mx');
  assert.equal(byName.get('P0')!.mv_reason, 'smtp_skipped');
  assert.equal(byName.get('P3')!.Notes, 'note, 3', 'original columns kept intact');
  assert.match(run.stderr, /progress 40\/40 \(100%\)/, 'plain progress lines when not a TTY');
});

test('--resume finishes an interrupted run without duplicating or losing a row', async () => {
  const rows = ['email'];
  for (let i = 0; i < 30; i++) rows.push(`r${i}@mx.test`);
  const input = writeInput('resume-in.csv', rows);
  const output = join(dir, 'resume-out.csv');
  assert.equal((await runMailvet(['bulk', input, '-o', output, ...engine()])).code, 0);
  // Simulate a crash: drop the last rows and leave half a record behind.
  const text = readFileSync(output, 'utf8');
  const keep = text.split('\n').slice(0, 21).join('\n') + '\n';
  writeFileSync(output, keep + 'r99@mx.test,12,unkn');
  assert.ok(statSync(output).size > keep.length);
  const again = await runMailvet(['bulk', input, '-o', output, '--resume', ...engine()]);
  assert.equal(again.code, 0, again.stderr);
  const out = readCsv(output);
  const emails = out.map((r) => r.email).sort();
  assert.deepEqual(emails, rows.slice(1).sort(), 'each input row exactly once');
  assert.ok(out.every((r) => r.mv_status === 'unknown'));
});

test("--resume after a cut just before a record's line break starts the next record on a new line", async () => {
  const rows = ['email'];
  for (let i = 0; i < 12; i++) rows.push(`n${i}@mx.test`);
  const input = writeInput('resume-nl-in.csv', rows);
  const output = join(dir, 'resume-nl-out.csv');
  assert.equal((await runMailvet(['bulk', input, '-o', output, ...engine()])).code, 0);
  // A torn write: the 6th record is complete but its '\n' never reached the disk.
  const lines = readFileSync(output, 'utf8').split('\n');
  writeFileSync(output, lines.slice(0, 7).join('\n'));
  const again = await runMailvet(['bulk', input, '-o', output, '--resume', ...engine()]);
  assert.equal(again.code, 0, again.stderr);
  const text = readFileSync(output, 'utf8');
  const header = text.split('\n')[0]!.split(',').length;
  for (const line of text.trimEnd().split('\n'))
    assert.equal(line.split(',').length, header, `one record per line: ${line}`);
  const emails = readCsv(output)
    .map((r) => r.email)
    .sort();
  assert.deepEqual(emails, rows.slice(1).sort(), 'each input row exactly once');
});

test('progress counts malformed rows in its total: it ends at 100 %', async () => {
  const input = join(dir, 'malformed-progress.csv');
  writeFileSync(input, 'email,name\na@mx.test,A\nb@gone.test,B\nc@mx.test,"never closed\n');
  const output = join(dir, 'malformed-progress-out.csv');
  const run = await runMailvet(['bulk', input, '-o', output, ...engine()]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /progress 3\/3 \(100%\)/);
  assert.doesNotMatch(run.stderr, /\(1[0-9][1-9]%\)|\([2-9]\d\d%\)/, 'never past 100 %');
  const out = readCsv(output);
  assert.equal(out.length, 3);
  assert.equal(out.filter((r) => /malformed row/.test(r.mv_error!)).length, 1);
});

test('an existing output needs --resume or --force', async () => {
  const input = writeInput('exists-in.csv', ['email', 'a@mx.test']);
  const output = join(dir, 'exists-out.csv');
  writeFileSync(output, 'something else\n');
  const run = await runMailvet(['bulk', input, '-o', output, ...engine()]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /--resume/);
  assert.equal(readFileSync(output, 'utf8'), 'something else\n', 'nothing overwritten');
  const resumeForeign = await runMailvet(['bulk', input, '-o', output, '--resume', ...engine()]);
  assert.equal(resumeForeign.code, 2, 'refuses to append to a file that is not a mailvet output');
  const forced = await runMailvet(['bulk', input, '-o', output, '--force', ...engine()]);
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(readCsv(output).length, 1);
});

test('a malformed row is reported in the output and the run goes on', async () => {
  // A stray quote is read leniently (the cell fails syntax); an unclosed quote cannot be read at all.
  const input = writeInput('bad-in.csv', [
    'id,email',
    '1,a@mx.test',
    '2,"b@mx.test"x',
    '3,c@gone.test',
    '4,"unclosed@mx.test',
  ]);
  const output = join(dir, 'bad-out.csv');
  const run = await runMailvet(['bulk', input, '-o', output, ...engine()]);
  assert.equal(run.code, 0, run.stderr);
  const out = readCsv(output);
  assert.equal(out.length, 4);
  const bad = out.filter((r) => r.mv_error !== '');
  assert.equal(bad.length, 1, 'the unreadable row is in the output');
  assert.match(bad[0].mv_error, /malformed row/);
  assert.deepEqual(
    out
      .filter((r) => r.mv_status)
      .map((r) => r.mv_reason)
      .sort(),
    ['invalid_syntax', 'no_such_domain', 'smtp_skipped'],
  );
});

test('the address column is chosen by name or guessed; a missing one is a usage error', async () => {
  const input = writeInput('guess-in.csv', [
    'who,contact',
    'Ann,ann@gone.test',
    'Bob,bob@gone.test',
  ]);
  const output = join(dir, 'guess-out.csv');
  assert.equal((await runMailvet(['bulk', input, '-o', output, ...engine()])).code, 0);
  assert.equal(readCsv(output)[0].mv_reason, 'no_such_domain');
  const missing = await runMailvet([
    'bulk',
    input,
    '-o',
    join(dir, 'x.csv'),
    '--column',
    'mail',
    ...engine(),
  ]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no column named "mail"/);
  const none = writeInput('none-in.csv', ['a,b', '1,2']);
  const r = await runMailvet(['bulk', none, '-o', join(dir, 'y.csv'), ...engine()]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--column/);
  truncateSync(none, 0);
  const empty = await runMailvet(['bulk', none, '-o', join(dir, 'z.csv'), ...engine()]);
  assert.equal(empty.code, 2);
});
