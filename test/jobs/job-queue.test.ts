import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import pg from 'pg';
import {
  createDialectContext,
  forEachDialect,
  type DialectContext,
  selectedDialects,
  TEST_PG_URL,
} from '../store/dialects.js';
import { JobService } from '../../src/jobs/job-service.js';
import { createJobQueue } from '../../src/jobs/job-queue.js';
import { JobLimitError, JobNotFoundError, JobInputError } from '../../src/jobs/job-errors.js';
import { collect, fakeResult, testJobsConfig } from './fixtures.js';

const csv = (text: string) => ({ kind: 'csv' as const, body: Readable.from([Buffer.from(text)]) });

forEachDialect('job queue', (d) => {
  let clock = 1_000_000;
  const now = () => clock;

  async function setup(overrides = {}) {
    const store = await d.fresh();
    const jobs = testJobsConfig(overrides);
    const service = new JobService({ db: store.db, adapter: store.adapter, jobs, now });
    const queue = createJobQueue(store.db, store.adapter);
    return { store, service, queue };
  }

  it('imports a CSV keeping every column, guessing the address column', async () => {
    const { service } = await setup();
    const { job, created } = await service.create({
      owner: 't1',
      options: {},
      input: csv('name,E-Mail,city\nAnn,ann@a.test,Oslo\nBob,bob@b.test,Rome\n'),
    });
    assert.equal(created, true);
    assert.match(job.id, /^job_[0-9A-Za-z]{22}$/);
    assert.equal(job.state, 'running');
    assert.deepEqual(job.columns, ['name', 'E-Mail', 'city']);
    assert.equal(job.emailColumn, 1);
    assert.equal(job.counts.total, 2);
    assert.equal(job.counts.pending, 2);
    assert.equal(job.percent, 0);
  });

  it('turns malformed rows into error items without aborting the import', async () => {
    const { service } = await setup();
    const { job } = await service.create({
      owner: 't1',
      options: {},
      // A stray quote is read as text; a quote never closed is the error left.
      input: csv('email,name\na@x.test,A\nb@x.test,"B"x\n"broken,C\n'),
    });
    assert.equal(job.state, 'running');
    assert.ok(job.counts.error >= 1, JSON.stringify(job.counts));
    assert.ok(job.counts.pending >= 1);
    const out = await collect(await service.export('t1', job.id, 'json', { statuses: ['error'] }));
    const items = JSON.parse(out) as { state: string; error: string }[];
    assert.ok(items.length >= 1);
    assert.match(items[0].error, /malformed row/);
  });

  it('claims one domain per batch, disjoint between workers, and writes results once', async () => {
    const { service, queue } = await setup();
    const emails = ['a1@a.test', 'b1@b.test', 'a2@a.test', 'a3@a.test', 'b2@b.test'];
    const { job } = await service.create({
      owner: 't',
      options: {},
      input: { kind: 'emails', emails },
    });
    const first = await queue.claim('w1', 2, 60_000, now());
    assert.ok(first);
    assert.equal(first.jobId, job.id);
    assert.equal(first.items.length, 2);
    assert.equal(new Set(first.items.map((i) => i.email.split('@')[1])).size, 1);
    const second = await queue.claim('w2', 10, 60_000, now());
    assert.ok(second);
    const firstNos = new Set(first.items.map((i) => i.itemNo));
    assert.ok(second.items.every((i) => !firstNos.has(i.itemNo)));
    // w2 cannot write over w1's live lease; w1 can, exactly once.
    const o = first.items.map((i) => ({ itemNo: i.itemNo, result: fakeResult(i.email) }));
    assert.equal(await queue.write('w2', job.id, o, now()), 0);
    assert.equal(await queue.write('w1', job.id, o, now()), 2);
    assert.equal(await queue.write('w1', job.id, o, now()), 0);
    const view = await service.get('t', job.id);
    assert.equal(view.counts.done, 2);
    assert.equal(view.counts.deliverable, 2);
    assert.equal(view.counts.leased, second.items.length);
  });

  it('reclaims expired leases; the late worker can no longer write over the new owner', async () => {
    const { service, queue } = await setup();
    const { job } = await service.create({
      owner: 't',
      options: {},
      input: { kind: 'emails', emails: ['x@a.test', 'y@a.test'] },
    });
    const a = await queue.claim('w1', 10, 1000, now());
    assert.equal(a?.items.length, 2);
    assert.equal(await queue.claim('w2', 10, 1000, now()), null);
    clock += 2000;
    assert.equal(await queue.reapExpired(now(), 10), 2);
    const b = await queue.claim('w2', 10, 1000, now());
    assert.equal(b?.items.length, 2);
    assert.equal(b?.items[0].attempts, 2);
    const late = a!.items.map((i) => ({ itemNo: i.itemNo, result: fakeResult(i.email) }));
    assert.equal(await queue.write('w1', job.id, late, now()), 0);
    assert.equal(await queue.write('w2', job.id, late, now()), 2);
    assert.deepEqual(await queue.completeFinished(now()), [job.id]);
    assert.equal((await service.get('t', job.id)).state, 'completed');
  });

  it('gives up on an item whose leases keep expiring, and on its duplicate', async () => {
    const { service, queue } = await setup();
    const { job } = await service.create({
      owner: 't',
      options: {},
      input: { kind: 'emails', emails: ['p@a.test', 'P@a.test'] },
    });
    for (let i = 0; i < 2; i++) {
      assert.ok(await queue.claim('w', 1, 1000, now()));
      clock += 2000;
      await queue.reapExpired(now(), 2);
    }
    const view = await service.get('t', job.id);
    assert.equal(view.counts.error, 2);
    assert.equal(view.counts.pending, 0);
    const rows = JSON.parse(await collect(await service.export('t', job.id, 'json'))) as {
      error: string | null;
    }[];
    assert.deepEqual(
      rows.map((r) => r.error),
      Array(2).fill('no result after 2 attempts (worker lost its lease)'),
    );
  });

  /**
   * A job of `n` distinct addresses plus a duplicate of the second, every
   * canonical item leased by a lost worker, expired, after its 3rd attempt.
   */
  async function exhaustedLeases(n: number) {
    const ctx = await setup();
    const emails = Array.from({ length: n }, (_, i) => `u${i}@a.test`);
    const { job } = await ctx.service.create({
      owner: 't',
      options: {},
      input: { kind: 'emails', emails: [...emails, 'U1@a.test'] },
    });
    await ctx.store.db
      .updateTable('job_items')
      .set({ state: 'leased', lease_owner: 'gone', lease_expires_at: now() - 1, attempts: 3 })
      .where('job_id', '=', job.id)
      .where('canonical_no', 'is', null)
      .execute();
    return { ...ctx, job };
  }

  it('reaps many exhausted leases without stalling the event loop', async () => {
    const n = 30_000;
    const { service, queue, job } = await exhaustedLeases(n);
    // The longest gap between ticks of a 10 ms timer while the reap runs.
    let last = performance.now();
    let longest = 0;
    const tick = setInterval(() => {
      longest = Math.max(longest, performance.now() - last);
      last = performance.now();
    }, 10);
    try {
      assert.equal(await queue.reapExpired(now(), 3), n);
    } finally {
      clearInterval(tick);
    }
    longest = Math.max(longest, performance.now() - last);
    // SQLite's UPDATE of 30,000 rows runs on this thread (≈ 0.2 s); the
    // quadratic grouping of the exhausted items blocked it for ≈ 9 s.
    assert.ok(longest < 3000, `event loop blocked for ${Math.round(longest)} ms`);
    const view = await service.get('t', job.id);
    assert.equal(view.counts.error, n + 1);
  });

  it('writes more results in one call than one SQL statement can carry', async () => {
    // SQLite refuses a compound SELECT of more than 500 terms; write() must
    // not depend on how many outcomes a caller hands it at once.
    const { service, queue } = await setup();
    const emails = Array.from({ length: 600 }, (_, i) => `u${i}@a.test`);
    const { job } = await service.create({
      owner: 't',
      options: {},
      input: { kind: 'emails', emails: [...emails, 'U0@a.test'] },
    });
    const batch = await queue.claim('w', 1000, 60_000, now());
    assert.equal(batch?.items.length, 600);
    const outcomes = batch!.items.map((i) => ({ itemNo: i.itemNo, result: fakeResult(i.email) }));
    assert.equal(await queue.write('w', job.id, outcomes, now()), 600);
    const view = await service.get('t', job.id);
    assert.equal(view.counts.done, 601);
  });

  it('reaps more exhausted leases at once than one statement has parameters', async () => {
    // Beyond 32,766 (SQLite) or 65,535 (PostgreSQL) bound values a single
    // duplicates update fails, and with it every reap: no worker could claim.
    const n = 66_000;
    const { service, queue, job } = await exhaustedLeases(n);
    assert.equal(await queue.reapExpired(now(), 3), n);
    const view = await service.get('t', job.id);
    assert.equal(view.counts.error, n + 1);
  });

  it('verifies duplicates once and copies the result to them', async () => {
    const { service, queue } = await setup();
    const { job } = await service.create({
      owner: 't',
      options: {},
      input: {
        kind: 'emails',
        emails: ['Dup@a.test', 'other@a.test', ' dup@A.test', 'dup@a.test'],
      },
    });
    const batch = await queue.claim('w', 100, 60_000, now());
    assert.deepEqual(
      batch?.items.map((i) => i.itemNo),
      [1, 2],
    );
    await queue.write(
      'w',
      job.id,
      batch!.items.map((i) => ({ itemNo: i.itemNo, result: fakeResult(i.email) })),
      now(),
    );
    const view = await service.get('t', job.id);
    assert.equal(view.counts.done, 4);
    const rows = JSON.parse(await collect(await service.export('t', job.id, 'json'))) as {
      item: number;
      result: { status: string } | null;
    }[];
    assert.equal(rows.length, 4);
    assert.ok(rows.every((r) => r.result?.status === 'deliverable'));
  });

  it('sends greylisted items back with not_before and claims them again later', async () => {
    const { service, queue } = await setup();
    const { job } = await service.create({
      owner: 't',
      options: {},
      input: { kind: 'emails', emails: ['g@a.test'] },
    });
    const b = await queue.claim('w', 10, 60_000, now());
    const grey = fakeResult('g@a.test', {
      status: 'unknown',
      reason: 'greylisted',
      retryable: true,
      retryAfterSeconds: 300,
    });
    await queue.write(
      'w',
      job.id,
      [{ itemNo: b!.items[0].itemNo, result: grey, retryAt: now() + 300_000 }],
      now(),
    );
    assert.equal((await service.get('t', job.id)).counts.pending, 1);
    assert.equal(await queue.claim('w', 10, 60_000, now()), null);
    assert.deepEqual(await queue.completeFinished(now()), []);
    clock += 300_000;
    const again = await queue.claim('w', 10, 60_000, now());
    assert.equal(again?.items[0].attempts, 2);
  });

  it('cancels: pending items are skipped, nothing more is claimed', async () => {
    const { service, queue } = await setup();
    const { job } = await service.create({
      owner: 't',
      options: {},
      input: { kind: 'emails', emails: ['a@a.test', 'b@b.test'] },
    });
    const view = await service.cancel('t', job.id);
    assert.equal(view.state, 'cancelled');
    assert.equal(view.counts.skipped, 2);
    assert.equal(await queue.claim('w', 10, 60_000, now()), null);
  });

  /** A job of `n` addresses of one domain, cancelled while `w1` holds a batch of `leased`. */
  async function cancelledWhileLeased(n: number, leased: number, leaseMs = 60_000) {
    const ctx = await setup();
    const emails = Array.from({ length: n }, (_, i) => `u${i}@a.test`);
    const { job } = await ctx.service.create({
      owner: 't',
      options: {},
      input: { kind: 'emails', emails },
    });
    const batch = await ctx.queue.claim('w1', leased, leaseMs, now());
    assert.equal(batch?.items.length, leased);
    const view = await ctx.service.cancel('t', job.id);
    assert.equal(view.counts.skipped, n - leased);
    assert.equal(view.counts.leased, leased);
    return { ...ctx, job, batch: batch! };
  }

  /** The job is over for good: nothing open, 100 %, nothing to claim. */
  async function assertFinished(ctx: Awaited<ReturnType<typeof setup>>, jobId: string) {
    const view = await ctx.service.get('t', jobId);
    assert.equal(view.state, 'cancelled');
    assert.equal(view.counts.pending, 0, JSON.stringify(view.counts));
    assert.equal(view.counts.leased, 0, JSON.stringify(view.counts));
    assert.equal(view.percent, 100);
    const undated = await ctx.store.db
      .selectFrom('job_items')
      .select('item_no')
      .where('job_id', '=', jobId)
      .where('done_at', 'is', null)
      .execute();
    assert.deepEqual(undated, [], 'every finished item has done_at');
    assert.equal(await ctx.queue.claim('w2', 100, 60_000, now()), null);
    return view;
  }

  it('cancel, then a graceful stop: the released items of the cancelled job are skipped, not pending', async () => {
    const ctx = await cancelledWhileLeased(30, 10);
    const itemNos = ctx.batch.items.map((i) => i.itemNo);
    assert.equal(await ctx.queue.release('w1', { jobId: ctx.job.id, itemNos }, now()), 10);
    const view = await assertFinished(ctx, ctx.job.id);
    assert.equal(view.counts.skipped, 30);
  });

  it('releasing items of a running job still makes them pending, the claim not counted', async () => {
    const { service, queue } = await setup();
    const { job } = await service.create({
      owner: 't',
      options: {},
      input: { kind: 'emails', emails: ['a@a.test', 'b@a.test'] },
    });
    const batch = await queue.claim('w1', 10, 60_000, now());
    const itemNos = batch!.items.map((i) => i.itemNo);
    assert.equal(await queue.release('w1', { jobId: job.id, itemNos }, now()), 2);
    assert.equal((await service.get('t', job.id)).counts.pending, 2);
    const again = await queue.claim('w2', 10, 60_000, now());
    assert.deepEqual(
      again?.items.map((i) => i.attempts),
      [1, 1],
    );
  });

  it("reaps a cancelled job's expired leases as skipped; a running job's go back to pending", async () => {
    const ctx = await cancelledWhileLeased(30, 10, 1000);
    const { job: running } = await ctx.service.create({
      owner: 't',
      options: {},
      input: { kind: 'emails', emails: ['r@r.test'] },
    });
    assert.equal((await ctx.queue.claim('w1', 10, 1000, now()))?.jobId, running.id);
    clock += 2000;
    assert.equal(await ctx.queue.reapExpired(now(), 10), 11);
    const view = await ctx.service.get('t', ctx.job.id);
    assert.equal(view.counts.skipped, 30);
    assert.equal((await ctx.service.get('t', running.id)).counts.pending, 1);
    const again = await ctx.queue.claim('w2', 10, 60_000, now());
    assert.equal(again?.jobId, running.id);
    assert.equal(await ctx.queue.claim('w2', 10, 60_000, now()), null);
    await ctx.queue.write('w2', running.id, [{ itemNo: 1, result: fakeResult('r@r.test') }], now());
    await assertFinished(ctx, ctx.job.id);
  });

  it('after a cancel, a greylist answer skips its item; a finished result is kept', async () => {
    const ctx = await cancelledWhileLeased(5, 2);
    const [grey, fine] = ctx.batch.items;
    const greylisted = fakeResult(grey.email, {
      status: 'unknown',
      reason: 'greylisted',
      retryable: true,
      retryAfterSeconds: 300,
    });
    const landed = await ctx.queue.write(
      'w1',
      ctx.job.id,
      [
        { itemNo: grey.itemNo, result: greylisted, retryAt: now() + 300_000 },
        { itemNo: fine.itemNo, result: fakeResult(fine.email) },
      ],
      now(),
    );
    assert.equal(landed, 2);
    const view = await assertFinished(ctx, ctx.job.id);
    assert.equal(view.counts.skipped, 4);
    assert.equal(view.counts.done, 1);
    assert.equal(view.counts.deliverable, 1);
    const rows = JSON.parse(await collect(await ctx.service.export('t', ctx.job.id, 'json'))) as {
      item: number;
      state: string;
    }[];
    assert.equal(rows.find((r) => r.item === fine.itemNo)?.state, 'done');
    assert.equal(rows.find((r) => r.item === grey.itemNo)?.state, 'skipped');
    const skipped = await ctx.store.db
      .selectFrom('job_items')
      .select(['status', 'result'])
      .where('job_id', '=', ctx.job.id)
      .where('item_no', '=', grey.itemNo)
      .executeTakeFirstOrThrow();
    assert.deepEqual(skipped, { status: null, result: null }, 'a skipped item holds no result');
  });

  it('claims a newer job even when more than 100 older running jobs have nothing claimable', async () => {
    const { store, service, queue } = await setup();
    const older: string[] = [];
    for (let i = 0; i < 101; i++) {
      clock += 1; // distinct created_at: the oldest are the ones waiting
      const { job } = await service.create({
        owner: 't',
        options: {},
        input: { kind: 'emails', emails: [`a${i}@a.test`, `b${i}@b.test`] },
      });
      older.push(job.id);
    }
    const newest = older.pop()!;
    // The 100 oldest are all greylisted for an hour.
    await store.db
      .updateTable('job_items')
      .set({ not_before: now() + 3_600_000 })
      .where('job_id', 'in', older)
      .execute();
    const claimed = new Set<string>();
    for (let batch; (batch = await queue.claim('w', 10, 60_000, now()));) {
      claimed.add(batch.jobId);
    }
    assert.deepEqual([...claimed], [newest]);
    assert.equal((await service.get('t', newest)).counts.leased, 2);
  });

  it('spreads claims over every job with claimable items', async () => {
    const { service, queue } = await setup();
    const ids: string[] = [];
    for (let j = 0; j < 3; j++) {
      clock += 1;
      const emails = Array.from({ length: 40 }, (_, i) => `u${i}@d${i}.test`);
      ids.push(
        (await service.create({ owner: 't', options: {}, input: { kind: 'emails', emails } })).job
          .id,
      );
    }
    // Each claim takes one domain (one item here): 30 claims starting at a
    // random job leave a job unclaimed with probability 3·(2/3)^30 ≈ 1.5e-5.
    const claimed = new Map<string, number>();
    for (let i = 0; i < 30; i++) {
      const batch = await queue.claim('w', 10, 60_000, now());
      assert.ok(batch);
      claimed.set(batch.jobId, (claimed.get(batch.jobId) ?? 0) + 1);
    }
    assert.deepEqual([...claimed.keys()].sort(), [...ids].sort());
  });

  it('exports CSV with original columns and result columns, filtered by status', async () => {
    const { service, queue } = await setup();
    const { job } = await service.create({
      owner: 't',
      options: {},
      input: csv('id,email\n1,ok@a.test\n2,bad@a.test\n'),
    });
    const b = await queue.claim('w', 10, 60_000, now());
    await queue.write(
      'w',
      job.id,
      [
        { itemNo: 1, result: fakeResult('ok@a.test') },
        {
          itemNo: 2,
          result: fakeResult('bad@a.test', {
            status: 'undeliverable',
            reason: 'mailbox_not_found',
          }),
        },
      ],
      now(),
    );
    assert.equal(b?.items.length, 2);
    const all = await collect(await service.export('t', job.id, 'csv'));
    const lines = all.trim().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0], /^id,email,mv_item,mv_state,mv_status,mv_reason/);
    const bad = await collect(
      await service.export('t', job.id, 'csv', { statuses: ['undeliverable'] }),
    );
    assert.deepEqual(
      bad
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',')[0]),
      ['2'],
    );
  });

  it('defuses formulas in untrusted result cells of CSV exports; input cells stay byte for byte', async () => {
    const { service, queue } = await setup();
    const { job } = await service.create({
      owner: 't',
      options: {},
      input: csv('email,mv_normalized,note\n=1+2@a.test,=SUM(A1),-x\nb@a.test,+1,@cmd\n'),
    });
    const b = await queue.claim('w', 10, 60_000, now());
    assert.equal(b?.items.length, 2);
    const hostile = fakeResult('=1+2@a.test', {
      normalized: '=1+2@a.test',
      suggestion: '+evil@a.test',
      smtp: { ...fakeResult('x@a.test').smtp, mxHost: '-cmd.a.test' },
      retryAfterSeconds: -1,
    });
    await queue.write(
      'w',
      job.id,
      [
        { itemNo: 1, result: hostile },
        { itemNo: 2, error: '@error text from a stranger' },
      ],
      now(),
    );
    const parseCsv = async (formulaGuard?: boolean) => {
      const text = await collect(await service.export('t', job.id, 'csv', { formulaGuard }));
      const rows = parse(text, { relax_column_count: true }) as string[][];
      const at = (name: string) => rows[0].lastIndexOf(name);
      return { rows, at };
    };
    const { rows, at } = await parseCsv();
    // The input's own columns, including one named like a result column, are untouched.
    assert.deepEqual(rows[1].slice(0, 3), ['=1+2@a.test', '=SUM(A1)', '-x']);
    assert.deepEqual(rows[2].slice(0, 3), ['b@a.test', '+1', '@cmd']);
    assert.equal(rows[1][at('mv_normalized')], "'=1+2@a.test");
    assert.equal(rows[1][at('mv_suggestion')], "'+evil@a.test");
    assert.equal(rows[1][at('mv_mx')], "'-cmd.a.test");
    // mailvet's own numbers are never prefixed.
    assert.equal(rows[1][at('mv_retry_after_seconds')], '-1');
    assert.equal(rows[2][at('mv_error')], "'@error text from a stranger");
    const raw = await parseCsv(false);
    assert.equal(raw.rows[1][raw.at('mv_normalized')], '=1+2@a.test');
    assert.equal(raw.rows[2][raw.at('mv_error')], '@error text from a stranger');
    // JSON is for programs: values as they are.
    const json = JSON.parse(await collect(await service.export('t', job.id, 'json'))) as {
      result: { normalized: string } | null;
    }[];
    assert.equal(json[0].result?.normalized, '=1+2@a.test');
  });

  it("hides another owner's job, and replays an Idempotency-Key", async () => {
    const { service } = await setup();
    const input = () => ({ kind: 'emails' as const, emails: ['a@a.test'] });
    const one = await service.create({
      owner: 'A',
      idempotencyKey: 'k1',
      options: {},
      input: input(),
    });
    const two = await service.create({
      owner: 'A',
      idempotencyKey: 'k1',
      options: {},
      input: input(),
    });
    assert.equal(two.created, false);
    assert.equal(two.job.id, one.job.id);
    const other = await service.create({
      owner: 'B',
      idempotencyKey: 'k1',
      options: {},
      input: input(),
    });
    assert.notEqual(other.job.id, one.job.id);
    await assert.rejects(service.get('B', one.job.id), JobNotFoundError);
    await assert.rejects(service.cancel('B', one.job.id), JobNotFoundError);
    assert.deepEqual(
      (await service.list('A')).map((j) => j.id),
      [one.job.id],
    );
  });

  it('enforces row and byte limits and leaves no job behind', async () => {
    const { service } = await setup({ maxRows: 2, maxUploadBytes: 1024 });
    await assert.rejects(
      service.create({
        owner: 'L',
        options: {},
        input: csv('email\na@a.test\nb@a.test\nc@a.test\n'),
      }),
      JobLimitError,
    );
    await assert.rejects(
      service.create({ owner: 'L', options: {}, input: csv('email\n' + 'x'.repeat(2000) + '\n') }),
      JobLimitError,
    );
    await assert.rejects(
      service.create({
        owner: 'L',
        options: {},
        input: { kind: 'csv', body: Readable.from([Buffer.from('name\nbob\n')]), column: 'mail' },
      }),
      JobInputError,
    );
    assert.deepEqual(await service.list('L'), []);
  });
});

if (selectedDialects().includes('postgres')) {
  describe('job queue claims under contention [postgres]', () => {
    const d = createDialectContext('postgres');
    // A database of its own for the cancel race: the claim test leaves a job
    // with claimable items behind.
    const alone = createDialectContext('postgres');

    /**
     * A job of `emails` on `ctx`'s database, the real queue, and a second
     * connection (`other`, connected; the caller ends it) playing another
     * process that holds locks in a transaction.
     */
    async function contention(ctx: DialectContext, emails: string[]) {
      const store = await ctx.open();
      const service = new JobService({
        db: store.db,
        adapter: store.adapter,
        jobs: testJobsConfig(),
      });
      const queue = createJobQueue(store.db, store.adapter);
      const { job } = await service.create({
        owner: 'race',
        options: {},
        input: { kind: 'emails', emails },
      });
      const other = new pg.Client({
        connectionString: TEST_PG_URL,
        options: `-c search_path=${ctx.storeOptions.schema}`,
      });
      await other.connect();
      return { service, queue, job, other };
    }

    it('a claim that loses its head to another worker takes the next domain, not nothing', async () => {
      const { queue, job, other } = await contention(d, [
        'a1@a.test',
        'a2@a.test',
        'b1@b.test',
        'b2@b.test',
      ]);
      // Another worker's claim in progress: it holds the row locks of the
      // domain every pick finds first (the same query the queue runs).
      try {
        const first = await other.query<{ domain: string }>(
          `select domain from job_items where state = 'pending' and job_id = $1
             and canonical_no is null and not_before <= $2 limit 1`,
          [job.id, Date.now()],
        );
        const locked = first.rows[0].domain;
        await other.query('begin');
        await other.query(
          'select item_no from job_items where job_id = $1 and domain = $2 for update',
          [job.id, locked],
        );
        const batch = await queue.claim('w', 10, 60_000, Date.now());
        assert.ok(batch, 'the claim gave up although another domain was free');
        assert.notEqual(batch.domain, locked);
        assert.equal(batch.items.length, 2);
        await other.query('rollback');
      } finally {
        await other.end();
      }
    });

    it('a release racing a cancel waits for it, so no item of the cancelled job stays pending', async () => {
      const { service, queue, job, other } = await contention(alone, [
        'a1@c.test',
        'a2@c.test',
        'a3@c.test',
      ]);
      try {
        const batch = await queue.claim('w', 2, 60_000, Date.now());
        assert.equal(batch?.jobId, job.id);
        assert.equal(batch.items.length, 2);
        // JobService.cancel's two statements, in a transaction left open:
        // the release reads the job state while the cancel has not
        // committed, and the cancel's `pending → skipped` has already run
        // past our items (still leased in its snapshot).
        await other.query('begin');
        await other.query(`update jobs set state = 'cancelled', finished_at = $2 where id = $1`, [
          job.id,
          Date.now(),
        ]);
        await other.query(
          `update job_items set state = 'skipped', done_at = $2 where job_id = $1 and state = 'pending'`,
          [job.id, Date.now()],
        );
        let settled = false;
        const itemNos = batch.items.map((i) => i.itemNo);
        const releasing = queue.release('w', { jobId: job.id, itemNos }).finally(() => {
          settled = true;
        });
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal(settled, false, 'the release did not wait for the cancel to commit');
        await other.query('commit');
        assert.equal(await releasing, 2);
      } finally {
        await other.end();
      }
      const view = await service.get('race', job.id);
      assert.equal(view.counts.pending, 0, JSON.stringify(view.counts));
      assert.equal(view.counts.skipped, 3);
      assert.equal(view.percent, 100);
    });
  });
}
