/** stdin lines for `mailvet check`: bounded memory, one result per input line. */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { MAX_INPUT_LINE, readLines } from '../../src/cli/read-lines.js';

async function collect(input: Readable): Promise<string[]> {
  const out: string[] = [];
  for await (const line of readLines(input)) out.push(line);
  return out;
}

test('LF, CRLF and CR end lines; blanks and # comments are skipped; lines are trimmed', async () => {
  const lines = await collect(
    Readable.from([
      '  a@x.test \r\n',
      '# comment\n\n',
      'b@x.test\rc@x',
      '.test',
      '\r\n',
      'd@x.test',
    ]),
  );
  assert.deepEqual(lines, ['a@x.test', 'b@x.test', 'c@x.test', 'd@x.test']);
});

test('a multi-byte character split across chunks survives', async () => {
  const bytes = Buffer.from('ü@bücher.test\n');
  const lines = await collect(
    Readable.from([bytes.subarray(0, 1), bytes.subarray(1, 9), bytes.subarray(9)]),
  );
  assert.deepEqual(lines, ['ü@bücher.test']);
});

test('a newline-free flood is cut at the cap and never buffered whole', async () => {
  const chunk = Buffer.alloc(1024 * 1024, 'x');
  const floodMiB = 600; // more than V8's largest string: buffering it whole would throw
  function* flood() {
    for (let i = 0; i < floodMiB; i++) yield chunk;
    yield Buffer.from('\nnext@x.test\n');
  }
  const before = process.memoryUsage().heapUsed;
  const lines = await collect(Readable.from(flood()));
  const grown = process.memoryUsage().heapUsed - before;
  assert.equal(lines.length, 2);
  assert.equal(lines[0].length, MAX_INPUT_LINE + 1);
  assert.equal(lines[1], 'next@x.test');
  assert.ok(grown < 64 * 1024 * 1024, `heap grew by ${grown} bytes`);
});
