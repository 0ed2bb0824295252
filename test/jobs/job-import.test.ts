import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Readable } from 'node:stream';
import { forEachDialect, type DialectContext } from '../store/dialects.js';
import { JobService } from '../../src/jobs/job-service.js';
import { createJobQueue } from '../../src/jobs/job-queue.js';
import { IMPORT_BATCH_ROWS } from '../../src/jobs/job-import.js';
import { portableBulkInsert, type BulkColumn } from '../../src/store/bulk-insert.js';
import { JobInputError, JobLimitError } from '../../src/jobs/job-errors.js';
import type { JobInput } from '../../src/jobs/job-import.js';
import type { JobsConfig } from '../../src/jobs/jobs-config.js';
import { collect, fakeResult, testJobsConfig } from './fixtures.js';

const COLUMNS: BulkColumn[] = [
  { name: 'key_id', type: 'text' },
  { name: 'day', type: 'text' },
  { name: 'status', type: 'text' },
  { name: 'count', type: 'bigint' },
];

/** `text` as a CSV upload, in pieces of `size` bytes. */
function csv(text: string, size = 65_536): JobInput {
  const bytes = Buffer.from(text);
  const pieces: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) pieces.push(bytes.subarray(at, at + size));
  return { kind: 'csv', body: Readable.from(pieces) };
}

interface ExportedItem {
  item: number;
  state: string;
  row: Record<string, string>;
  error: string | null;
}

/** A JobService on a new, empty database of its own. */
async function freshService(d: DialectContext, jobs: Partial<JobsConfig> = {}) {
  const store = await d.fresh();
  const service = new JobService({
    db: store.db,
    adapter: store.adapter,
    jobs: testJobsConfig(jobs),
  });
  return { store, service };
}

/** What `creating` is rejected with; the test fails if the import succeeds. */
async function refusal(creating: Promise<unknown>): Promise<unknown> {
  return creating.then(
    () => assert.fail('the import should have been refused'),
    (err: unknown) => err,
  );
}

async function exportedItems(service: JobService, jobId: string): Promise<ExportedItem[]> {
  return JSON.parse(await collect(await service.export('o', jobId, 'json'))) as ExportedItem[];
}

forEachDialect('job import', (d) => {
  it('bulkInsert (adapter and portable) writes every row', async () => {
    const store = await d.fresh();
    const rows = Array.from({ length: 2503 }, (_, i) => [`k${i}`, '2026-01-01', 'deliverable', i]);
    await store.adapter.bulkInsert(store.db, 'usage_daily', COLUMNS, rows);
    await portableBulkInsert(store.db, 'usage_daily', COLUMNS, [['p', '2026-01-02', 'risky', 7]]);
    await store.adapter.bulkInsert(store.db, 'usage_daily', COLUMNS, []);
    const got = await store.db
      .selectFrom('usage_daily')
      .select(['key_id', 'count'])
      .orderBy('count')
      .execute();
    assert.equal(got.length, 2504);
    assert.deepEqual(
      got.filter((r) => r.key_id === 'k2502').map((r) => Number(r.count)),
      [2502],
    );
  });

  it('bulkInsert stores every character of text values as given', async () => {
    const store = await d.fresh();
    // What COPY's text format (PostgreSQL) gives a meaning to, and more.
    const nasty = [
      'tab\there',
      'line\nbreak',
      'carriage\rreturn',
      'back\\slash',
      '\\N',
      '\\.',
      '\\',
      '',
      'ünïcödé ✉ 日本',
      '"quoted", comma',
      '\\t literal',
    ];
    const rows = nasty.map((v, i) => [v, '2026-01-01', 'risky', i]);
    await store.adapter.bulkInsert(store.db, 'usage_daily', COLUMNS, rows);
    const got = await store.db
      .selectFrom('usage_daily')
      .select(['key_id', 'count'])
      .orderBy('count')
      .execute();
    assert.deepEqual(
      got.map((r) => r.key_id),
      nasty,
    );
  });

  it('a failed bulk insert leaves none of its rows behind', async () => {
    const store = await d.fresh();
    const rows = [
      ['a', '2026-01-01', 'risky', 1],
      ['a', '2026-01-01', 'risky', 2], // primary key violation
    ];
    await assert.rejects(store.adapter.bulkInsert(store.db, 'usage_daily', COLUMNS, rows));
    const n = await store.db.selectFrom('usage_daily').selectAll().execute();
    assert.equal(n.length, 0);
    // The connection is usable afterwards (no transaction left open).
    await store.adapter.bulkInsert(store.db, 'usage_daily', COLUMNS, [rows[0]]);
  });

  it('an import that fails while a batch is being written leaves no rows', async () => {
    const store = await d.open();
    const maxRows = IMPORT_BATCH_ROWS + 5;
    const service = new JobService({
      db: store.db,
      adapter: store.adapter,
      jobs: testJobsConfig({ maxRows }),
    });
    // The first batch is handed to the database at row IMPORT_BATCH_ROWS; the
    // limit is hit a few rows later, while that write is still running.
    const emails = Array.from({ length: maxRows + 100 }, (_, i) => `u${i}@d${i % 7}.test`);
    await assert.rejects(
      service.create({ owner: 'in-flight', options: {}, input: { kind: 'emails', emails } }),
      JobLimitError,
    );
    // Closing waits for every connection to be given back, so a write that
    // outlived the failure has landed by now; a fresh instance then looks.
    await store.close();
    const reader = await d.open();
    const orphans = await reader.db
      .selectFrom('job_items')
      .where('job_id', 'not in', (eb) => eb.selectFrom('jobs').select('id'))
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(orphans.n), 0);
  });

  it('stray quotes are read as text and an unclosed one is an error item in its place, however the upload is cut', async () => {
    const { service } = await freshService(d);
    // Data records 1..3000; 1500 and 2999 have a quote inside an unquoted
    // field, which strict quoting turned into errors that dropped rows after
    // them. Record 3001 opens a quote that never closes: the one error left.
    const stray = new Set([1500, 2999]);
    let text = 'email,name\n';
    for (let i = 1; i <= 3000; i++)
      text += stray.has(i) ? `bro"ken${i},x\n` : `u${i}@d.test,N${i}\n`;
    text += '"unclosed@d.test,x\n';
    for (const size of [text.length, 65_536, 100, 7]) {
      const pieces: Buffer[] = [];
      for (let at = 0; at < text.length; at += size)
        pieces.push(Buffer.from(text.slice(at, at + size)));
      const { job } = await service.create({
        owner: 'o',
        options: {},
        input: { kind: 'csv', body: Readable.from(pieces) },
      });
      const items = await exportedItems(service, job.id);
      assert.equal(items.length, 3001);
      const misplaced = items.filter((it) =>
        it.item === 3001
          ? !(it.state === 'error' && /near line 300\d: Quote Not Closed/.test(it.error ?? ''))
          : it.state !== 'pending' ||
            it.row.email !== (stray.has(it.item) ? `bro"ken${it.item}` : `u${it.item}@d.test`),
      );
      assert.deepEqual(
        misplaced.map((it) => [it.item, it.state, it.row.email, it.error]),
        [],
        `upload in pieces of ${size} bytes`,
      );
    }
  });

  it('a stray quote keeps the rows after it (both readers read it the same way)', async () => {
    const { service } = await freshService(d);
    const text = 'email,name\na@x.test,"A"b\nb@x.test,ok\nc@x.test,c\nd@x.test,a"b\n';
    const { job } = await service.create({ owner: 'o', options: {}, input: csv(text) });
    const items = await exportedItems(service, job.id);
    assert.deepEqual(
      items.map((it) => [it.state, it.row.email, it.row.name]),
      [
        ['pending', 'a@x.test', '"A"b'],
        ['pending', 'b@x.test', 'ok'],
        ['pending', 'c@x.test', 'c'],
        ['pending', 'd@x.test', 'a"b'],
      ],
    );
  });

  it('a record over 64 KiB refuses the import with a 413 naming the limit and the line; nothing is kept', async () => {
    const { store, service } = await freshService(d);
    const huge = `email,name\na@x.test,A\nb@x.test,${'x'.repeat(70_000)}\nc@x.test,C\n`;
    // An unclosed quote swallows the rest of the file into one record: the same refusal.
    const unclosed = `email,name\na@x.test,A\nb@x.test,"B\n${'c@x.test,C\n'.repeat(7000)}`;
    for (const [text, line] of [
      [huge, 'line 3'],
      [unclosed, 'line \\d+'],
    ] as const) {
      const failure = await refusal(
        service.create({ owner: 'big', options: {}, input: csv(text, 1000) }),
      );
      assert.ok(failure instanceof JobLimitError, String(failure));
      assert.equal(failure.statusCode, 413);
      assert.match(
        failure.message,
        new RegExp(`^${line}: a record is larger than 64 KiB \\(65536 bytes\\), or a quote`),
      );
    }
    assert.deepEqual(await service.list('big'), []);
    const rows = await store.db
      .selectFrom('job_items')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(rows.n), 0);
  });

  it('a header row that cannot be read fails the import with a 400 instead of being skipped', async () => {
    const { service } = await freshService(d);
    const failure = await refusal(
      service.create({ owner: 'h', options: {}, input: csv('"email,name\na@x.test,A\n') }),
    );
    assert.ok(failure instanceof JobInputError, String(failure));
    assert.equal(failure.statusCode, 400);
    assert.match(failure.message, /^the header row cannot be read: malformed row near line \d/);
    assert.deepEqual(await service.list('h'), []);
    // A stray quote in a header name is just part of the name.
    const { job } = await service.create({
      owner: 'h',
      options: {},
      input: csv('e"mail,name\na@x.test,A\n'),
    });
    assert.deepEqual(job.columns, ['e"mail', 'name']);
    assert.equal(job.counts.total, 1);
  });

  it('blank lines are not rows and do not count against jobs.maxRows; a line of commas is a row', async () => {
    const { service } = await freshService(d, { maxRows: 3 });
    // Mixed line endings too: a CRLF blank line in an LF file is blank as well.
    const text = '\nemail,name\n\na@x.test,A\n\n\r\n\r\n,\r\n\r\nb@x.test,B\r\r\n';
    const { job } = await service.create({ owner: 'o', options: {}, input: csv(text) });
    assert.deepEqual(job.columns, ['email', 'name']);
    const items = await exportedItems(service, job.id);
    assert.deepEqual(
      items.map((it) => [it.item, it.row.email, it.row.name]),
      [
        [1, 'a@x.test', 'A'],
        [2, '', ''],
        [3, 'b@x.test', 'B'],
      ],
    );
  });

  it('semicolon- and tab-separated files are sniffed from the header line', async () => {
    const { service } = await freshService(d);
    const files = [
      // Excel's "CSV UTF-8" in a locale whose decimal mark is a comma: BOM, `;`, CRLF.
      ['\ufeffemail;name\r\na@x.test;"Doe, A"\r\nb@x.test;B', ['email', 'name']],
      ['"Name, full"\temail\nDoe, A\ta@x.test\nB\tb@x.test\n', ['Name, full', 'email']],
    ] as const;
    for (const [text, columns] of files) {
      // One byte at a time: the header line arrives in many pieces.
      for (const size of [text.length, 1]) {
        const { job } = await service.create({ owner: 'o', options: {}, input: csv(text, size) });
        assert.deepEqual(job.columns, columns);
        const items = await exportedItems(service, job.id);
        assert.deepEqual(
          items.map((it) => [it.state, it.row.email]),
          [
            ['pending', 'a@x.test'],
            ['pending', 'b@x.test'],
          ],
          JSON.stringify(text),
        );
      }
    }
    // A comma file keeps reading as commas, a `;` in a value notwithstanding.
    const { job } = await service.create({
      owner: 'o',
      options: {},
      input: csv('email,note\na@x.test,x;y;z\n'),
    });
    assert.deepEqual((await exportedItems(service, job.id))[0]!.row, {
      email: 'a@x.test',
      note: 'x;y;z',
    });
  });

  it('input is read as UTF-8: bytes that are not UTF-8 become U+FFFD (as documented)', async () => {
    const { service } = await freshService(d);
    const latin1 = Buffer.from('email,name\na@x.test,M\xfcller\n', 'latin1');
    const { job } = await service.create({
      owner: 'o',
      options: {},
      input: { kind: 'csv', body: Readable.from([latin1]) },
    });
    assert.equal((await exportedItems(service, job.id))[0]!.row.name, 'M\ufffdller');
  });

  it('imports over several batches; a duplicate across batches is verified once', async () => {
    const store = await d.fresh();
    const jobs = testJobsConfig({ maxRows: 200_000 });
    const service = new JobService({ db: store.db, adapter: store.adapter, jobs });
    const queue = createJobQueue(store.db, store.adapter);
    const total = IMPORT_BATCH_ROWS + 10;
    async function* body() {
      yield 'email,n\n';
      let chunk = '';
      for (let i = 1; i <= total; i++) {
        // The last row repeats the first address in another case.
        chunk += i === total ? 'FIRST@one.test,last\n' : `u${i}@d${i % 3}.test,${i}\n`;
        if (i === 1) chunk = 'first@one.test,1\n';
        if (chunk.length > 60_000) {
          yield chunk;
          chunk = '';
        }
      }
      yield chunk;
    }
    const { job } = await service.create({
      owner: 'o',
      options: {},
      input: { kind: 'csv', body: Readable.from(body()) },
    });
    assert.equal(job.counts.total, total);
    assert.equal(job.counts.pending, total);
    const dup = await store.db
      .selectFrom('job_items')
      .select(['item_no', 'canonical_no', 'import_batch'])
      .where('job_id', '=', job.id)
      .where('canonical_no', 'is not', null)
      .execute();
    assert.deepEqual(
      dup.map((r) => [Number(r.item_no), Number(r.canonical_no), r.import_batch]),
      [[total, 1, 1]],
    );
    // Claim everything of one.test: only the first occurrence is leased, and
    // its result lands on the duplicate in the other import batch too.
    let batch;
    do batch = await queue.claim('w', 1000, 60_000, Date.now());
    while (batch && batch.domain !== 'one.test');
    assert.ok(batch);
    assert.deepEqual(
      batch.items.map((i) => i.itemNo),
      [1],
    );
    await queue.write(
      'w',
      job.id,
      [{ itemNo: 1, result: fakeResult('first@one.test') }],
      Date.now(),
    );
    const last = await store.db
      .selectFrom('job_items')
      .select(['state', 'status'])
      .where('job_id', '=', job.id)
      .where('item_no', '=', total)
      .executeTakeFirstOrThrow();
    assert.deepEqual(last, { state: 'done', status: 'deliverable' });
  });
});
