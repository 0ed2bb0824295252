import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Selectable } from 'kysely';
import { emptyCounts, toJobView, type JobCounts } from '../../src/jobs/job-view.js';
import type { JobState, JobsTable } from '../../src/jobs/job-tables.js';
import { jobRow } from './fixtures.js';

/*
 * toJobView is the pure part of a job's progress: given the item counts and
 * how many items finished within the rate window, it derives percent,
 * ratePerSecond and etaSeconds. (Which items count as recent, by the clock,
 * is JobService's query: see test/server/job-progress.test.ts.)
 */

const T = Date.UTC(2026, 0, 1);

function row(state: JobState, extra: Partial<Selectable<JobsTable>> = {}): Selectable<JobsTable> {
  return jobRow({
    owner: 'tenant',
    state,
    options: '{"smtp":false}',
    columns: '["email"]',
    created_at: T,
    started_at: T + 1000,
    ...extra,
  });
}

function counts(c: Partial<JobCounts>): JobCounts {
  const all = { ...emptyCounts(), ...c };
  all.total = all.pending + all.leased + all.done + all.error + all.skipped;
  return all;
}

describe('toJobView progress', () => {
  it('rate = recent items / window, rounded to 0.01; ETA = remaining / rate, rounded up', () => {
    const v = toJobView(row('running'), counts({ pending: 90, leased: 10, done: 30 }), 30, 60);
    assert.equal(v.ratePerSecond, 0.5);
    assert.equal(v.etaSeconds, 200, '100 open items at 0.5/s');
    assert.equal(v.percent, 23, '30 of 130, floored to 0.1');

    const slow = toJobView(row('running'), counts({ pending: 4, done: 7 }), 7, 60);
    assert.equal(slow.ratePerSecond, 0.12, '7/60 = 0.1166…');
    assert.equal(slow.etaSeconds, 35, '4 / (7/60) = 34.3 → 35, from the unrounded rate');
    assert.equal(slow.percent, 63.6);

    const one = toJobView(row('running'), counts({ pending: 1, done: 1 }), 1, 60);
    assert.equal(one.ratePerSecond, 0.02);
    assert.equal(one.etaSeconds, 60);
  });

  it('no ETA without a rate, without open items, or once the job is over', () => {
    const idle = toJobView(row('running'), counts({ pending: 5, done: 5 }), 0, 60);
    assert.equal(idle.ratePerSecond, 0);
    assert.equal(idle.etaSeconds, null, 'nothing finished within the window');

    const allLeased = toJobView(row('running'), counts({ leased: 3, done: 3 }), 3, 60);
    assert.equal(allLeased.etaSeconds, 60, 'leased items are still open');

    const drained = toJobView(row('running'), counts({ done: 5 }), 5, 60);
    assert.equal(drained.etaSeconds, null, 'no open item (completion not yet recorded)');

    for (const state of ['completed', 'cancelled', 'failed'] as const) {
      const over = toJobView(row(state), counts({ pending: 5, done: 5 }), 5, 60);
      assert.equal(over.etaSeconds, null, state);
      assert.equal(over.ratePerSecond, 0.08, `${state}: the rate is still reported`);
    }
  });

  it('an importing job already has a rate and ETA once items finish', () => {
    const v = toJobView(row('importing', { started_at: null }), counts({ pending: 60 }), 60, 60);
    assert.equal(v.ratePerSecond, 1);
    assert.equal(v.etaSeconds, 60);
    assert.equal(v.startedAt, null);
  });

  it('percent counts done, error and skipped as finished; an empty job is 100 %', () => {
    const v = toJobView(
      row('cancelled'),
      counts({ done: 1, error: 1, skipped: 1, pending: 0, leased: 1 }),
      0,
      60,
    );
    assert.equal(v.percent, 75);
    assert.equal(toJobView(row('completed'), counts({}), 0, 60).percent, 100);
    const third = toJobView(row('running'), counts({ done: 1, pending: 2 }), 0, 60);
    assert.equal(third.percent, 33.3, 'floored, never rounded up to a finish not reached');
    const almost = toJobView(row('running'), counts({ done: 999, pending: 1 }), 0, 60);
    assert.equal(almost.percent, 99.9);
  });

  it('times are ISO 8601 UTC and the webhook shows only when the job has one', () => {
    const v = toJobView(row('running'), counts({}), 0, 60);
    assert.equal(v.createdAt, '2026-01-01T00:00:00.000Z');
    assert.equal(v.startedAt, '2026-01-01T00:00:01.000Z');
    assert.equal(v.finishedAt, null);
    assert.equal(v.webhook, null);
    const hooked = toJobView(
      row('completed', {
        webhook_url: 'https://h.example/x',
        webhook_state: 'failed',
        webhook_attempts: 8,
        webhook_last_error: 'receiver answered HTTP 500',
      }),
      counts({}),
      0,
      60,
    );
    assert.deepEqual(hooked.webhook, {
      url: 'https://h.example/x',
      state: 'failed',
      attempts: 8,
      lastError: 'receiver answered HTTP 500',
    });
  });
});
