import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Readable } from 'node:stream';
import { sniffDelimiter } from '../../src/csv/sniff-delimiter.js';
import { delimiterNamed } from '../../src/csv/csv-dialect.js';
import { DelimiterSniffer } from '../../src/jobs/delimiter-sniffer.js';

const sniff = (text: string) => sniffDelimiter(Buffer.from(text, 'latin1'));

test('the delimiter is the candidate the header line holds most often', () => {
  assert.equal(sniff('email,name,city\na;b;c;d;e;f\n'), ',');
  assert.equal(
    sniff('\xef\xbb\xbfemail;name\na@x.test;A'),
    ';',
    "Excel's CSV UTF-8, European locale",
  );
  assert.equal(sniff('name\temail\tnote\nA\ta@x.test\tx'), '\t');
  assert.equal(sniff('email;name;city,state\n'), ';', 'one comma in a name does not win');
  assert.equal(sniff('email;name\r\na,b,c,d\r\n'), ';', 'only the first line counts (CRLF)');
  assert.equal(sniff('email;name'), ';', 'a file of one line without a line break');
});

test('delimiters inside double quotes do not count', () => {
  assert.equal(sniff('"Name, full, really";email\n'), ';');
  assert.equal(sniff('"a;b;c;d",email,x\n'), ',');
  assert.equal(sniff('"say ""hi;there""";email\n'), ';', 'doubled quotes stay inside');
});

test('no candidate or a tie reads as a comma', () => {
  assert.equal(sniff('email\na;b;c\n'), ',');
  assert.equal(sniff(''), ',');
  assert.equal(sniff('a;b,c\n'), ',');
  assert.equal(sniff('a;b\tc\n'), ',', 'a tie that does not involve the comma');
  assert.equal(sniff('"a;b;c"\n'), ',', 'all of them quoted');
});

test('--delimiter names: , ; tab and a TAB character', () => {
  assert.equal(delimiterNamed(','), ',');
  assert.equal(delimiterNamed(';'), ';');
  assert.equal(delimiterNamed('tab'), '\t');
  assert.equal(delimiterNamed('TAB'), '\t');
  assert.equal(delimiterNamed('\t'), '\t');
  assert.equal(delimiterNamed('|'), undefined);
  assert.equal(delimiterNamed(''), undefined);
});

/** Pipe `pieces` through a DelimiterSniffer; its delimiter and everything it passed on. */
async function throughSniffer(pieces: string[]) {
  const sniffer = new DelimiterSniffer();
  Readable.from(pieces.map((p) => Buffer.from(p))).pipe(sniffer);
  const delimiter = await sniffer.delimiter;
  const out: Buffer[] = [];
  for await (const chunk of sniffer) out.push(chunk as Buffer);
  return { delimiter, text: Buffer.concat(out).toString() };
}

test('the stream sniffer waits for the header line across chunks and passes every byte on', async () => {
  const text = 'email;name\na@x.test;A\nb@x.test;B\n';
  const pieces = [...text];
  assert.deepEqual(await throughSniffer(pieces), { delimiter: ';', text });
  assert.deepEqual(await throughSniffer(['a\tb']), { delimiter: '\t', text: 'a\tb' });
  assert.deepEqual(await throughSniffer([]), { delimiter: ',', text: '' });
});

test('the stream sniffer holds at most 64 KiB waiting for a line break', async () => {
  // 64 KiB of `;` before any line break: sniffed there, not at the end.
  const sniffer = new DelimiterSniffer();
  const source = new Readable({ read() {} });
  source.pipe(sniffer);
  source.push(Buffer.alloc(40_000, ';'));
  source.push(Buffer.alloc(40_000, ';'));
  assert.equal(await sniffer.delimiter, ';', 'resolved while the upload is still open');
  source.destroy();
  sniffer.destroy();
});

test('the stream sniffer rejects when the upload dies before its header line', async () => {
  const sniffer = new DelimiterSniffer();
  sniffer.write(Buffer.from('email;na'));
  sniffer.destroy(new Error('aborted'));
  await assert.rejects(sniffer.delimiter, /aborted/);
});
