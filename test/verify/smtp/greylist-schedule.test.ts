import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GreylistSchedule } from '../../../src/verify/smtp/greylist-schedule.js';

test('a zero budget never waits in-line but still gives a retry hint', () => {
  const schedule = new GreylistSchedule([60_000, 120_000], 0);
  assert.equal(schedule.next(0, 0), null);
  assert.equal(schedule.retryAfterSeconds(0), 60);
});

test('retries follow the schedule while they fit in the budget', () => {
  const schedule = new GreylistSchedule([60_000, 120_000, 240_000], 200_000);
  assert.equal(schedule.next(0, 0), 60_000);
  assert.equal(schedule.next(1, 60_000), 120_000);
  assert.equal(schedule.next(2, 180_000), null);
  assert.equal(schedule.retryAfterSeconds(2), 240);
  assert.equal(schedule.retryAfterSeconds(9), 240);
});
