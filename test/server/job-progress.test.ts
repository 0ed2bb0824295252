import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachDialect } from '../store/dialects.js';
import { bearer, startHarness, type Harness } from './fixtures/server-harness.js';
import { fakeResult } from '../jobs/fixtures.js';
import { createJobQueue, type ItemOutcome, type JobQueue } from '../../src/jobs/job-queue.js';
import { RATE_WINDOW_SECONDS } from '../../src/jobs/job-service.js';
import type { Status } from '../../src/verify/result.js';

/*
 * Job progress as `GET /v1/jobs/{id}` and `GET /v1/jobs` show it, over real
 * HTTP, with an injected clock. Jobs are created through the API; their items
 * are finished through the real queue (claim, write) at known times, as a
 * worker would, so counts, ratePerSecond and etaSeconds are exact.
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const STATUS_OF: Record<string, Status> = {
  'a.test': 'deliverable',
  'b.test': 'undeliverable',
  'c.test': 'risky',
  'd.test': 'unknown',
};

forEachDialect('job progress and the job list', (ctx) => {
  let h: Harness;
  let queue: JobQueue;
  let clock = Date.UTC(2026, 0, 1);
  let acme: string;
  let other: string;
  before(async () => {
    const store = await ctx.fresh();
    h = await startHarness(ctx, { store, now: () => clock });
    queue = createJobQueue(store.db, store.adapter);
    acme = await h.key({ scopes: ['jobs'], tenant: 'acme' });
    other = await h.key({ scopes: ['jobs'], tenant: 'other' });
  });
  after(() => h.close());

  const get = async (key: string, url: string): Promise<Json> => {
    const res = await h.request({ method: 'GET', url, headers: bearer(key) });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };
  const createJob = async (key: string, emails: string[]): Promise<Json> => {
    const res = await h.request({
      method: 'POST',
      url: '/v1/jobs',
      headers: bearer(key),
      payload: { emails, options: { smtp: false } },
    });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().job;
  };

  /**
   * Finish, at the current clock, every claimable item except those of
   * `keep` (released again): status by domain, `e.test` fails as an error.
   */
  async function work(keep: string): Promise<void> {
    const held: { jobId: string; itemNos: number[] }[] = [];
    for (;;) {
      const batch = await queue.claim('w1', 100, 60_000, clock);
      if (!batch) break;
      if (batch.domain === keep) {
        held.push({ jobId: batch.jobId, itemNos: batch.items.map((i) => i.itemNo) });
        continue;
      }
      const outcomes: ItemOutcome[] = batch.items.map((i) =>
        batch.domain === 'e.test'
          ? { itemNo: i.itemNo, error: 'verification failed' }
          : { itemNo: i.itemNo, result: fakeResult(i.email, { status: STATUS_OF[batch.domain] }) },
      );
      assert.equal(await queue.write('w1', batch.jobId, outcomes, clock), outcomes.length);
    }
    for (const h of held) await queue.release('w1', h);
  }

  let first: Json;
  let second: Json;
  let theirs: Json;

  it('GET /v1/jobs/{id}: counts by state and status, rate over the last minute, ETA', async () => {
    first = await createJob(acme, [
      'd1@a.test',
      'd2@a.test',
      'u1@b.test',
      'r1@c.test',
      'k1@d.test',
      'e1@e.test',
      'D1@a.test', // a duplicate of d1: its result is copied, not verified again
      'p1@f.test',
      'p2@f.test',
      'p3@f.test',
      'p4@f.test',
    ]);
    assert.equal(first.counts.pending, 11);
    assert.equal(first.ratePerSecond, 0);
    assert.equal(first.etaSeconds, null, 'nothing finished yet: no rate, no ETA');

    clock += 5_000;
    await work('f.test');
    clock += 10_000;
    const job = await get(acme, `/v1/jobs/${first.id}`);
    assert.equal(job.state, 'running');
    assert.deepEqual(job.counts, {
      total: 11,
      pending: 4,
      leased: 0,
      done: 6,
      error: 1,
      skipped: 0,
      deliverable: 3,
      undeliverable: 1,
      risky: 1,
      unknown: 1,
    });
    assert.equal(job.percent, 63.6);
    // The job is 15 s old: 7 items in 15 s = 0.4666…/s; 4 open → ceil(4 / (7/15)) = 9.
    assert.equal(job.ratePerSecond, 0.47);
    assert.equal(job.etaSeconds, 9);

    clock += RATE_WINDOW_SECONDS * 1000 - 15_000; // the job is one window old
    // 7 items finished within the last 60 s: 7/60 per second; 4 open → ceil(4 / (7/60)) = 35.
    const minute = await get(acme, `/v1/jobs/${first.id}`);
    assert.equal(minute.ratePerSecond, 0.12);
    assert.equal(minute.etaSeconds, 35);

    clock += 5_000; // exactly one window after the writes
    assert.equal((await get(acme, `/v1/jobs/${first.id}`)).ratePerSecond, 0.12);
    clock += 1;
    const stale = await get(acme, `/v1/jobs/${first.id}`);
    assert.equal(stale.ratePerSecond, 0, 'the writes left the window');
    assert.equal(stale.etaSeconds, null);
    assert.deepEqual(stale.counts, job.counts);
  });

  it("GET /v1/jobs lists the caller's jobs only, newest first, with the same counts", async () => {
    clock += 1_000;
    second = await createJob(acme, ['n1@a.test', 'n2@b.test']);
    clock += 1_000;
    theirs = await createJob(other, ['o1@a.test']);

    const mine = (await get(acme, '/v1/jobs')).jobs as Json[];
    assert.deepEqual(
      mine.map((j) => j.id),
      [second.id, first.id],
    );
    assert.deepEqual(mine[1], await get(acme, `/v1/jobs/${first.id}`), 'the same view as GET');
    assert.deepEqual(mine[0].counts, { ...mine[0].counts, total: 2, pending: 2, done: 0 });
    assert.equal(mine[0].percent, 0);

    const list = (await get(other, '/v1/jobs')).jobs as Json[];
    assert.deepEqual(
      list.map((j) => j.id),
      [theirs.id],
    );
    assert.equal(list[0].counts.total, 1);

    const limited = (await get(acme, '/v1/jobs?limit=1')).jobs as Json[];
    assert.deepEqual(
      limited.map((j) => j.id),
      [second.id],
    );
  });

  it('rows refused at import (malformed CSV) do not count as progress', async () => {
    const res = await h.request({
      method: 'POST',
      url: '/v1/jobs?smtp=false',
      headers: { ...bearer(acme), 'content-type': 'text/csv' },
      // A quote never closed: the parser cannot read that record (it runs to the end).
      payload: 'email,name\nm1@a.test,A\nm2@a.test,C\n"broken,B\n',
    });
    assert.equal(res.statusCode, 201, res.body);
    const id = res.json().job.id as string;
    const job = await get(acme, `/v1/jobs/${id}`);
    assert.ok(job.counts.error >= 1, JSON.stringify(job.counts));
    assert.ok(job.counts.pending >= 1);
    assert.equal(job.ratePerSecond, 0, 'no item was verified');
    assert.equal(job.etaSeconds, null);
  });

  it('items skipped by a cancel do not count as progress', async () => {
    clock += 1_000;
    const res = await h.request({
      method: 'DELETE',
      url: `/v1/jobs/${second.id}`,
      headers: bearer(acme),
    });
    assert.equal(res.statusCode, 200, res.body);
    const job = await get(acme, `/v1/jobs/${second.id}`);
    assert.equal(job.state, 'cancelled');
    assert.equal(job.counts.skipped, 2);
    assert.equal(job.percent, 100);
    assert.equal(job.ratePerSecond, 0, 'nothing was verified');
    assert.equal(job.etaSeconds, null);
  });
});
