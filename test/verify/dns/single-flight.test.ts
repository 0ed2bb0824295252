import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SingleFlight } from '../../../src/verify/dns/single-flight.js';

test('concurrent calls with one key share one execution; later calls start anew', async () => {
  const flights = new SingleFlight<number>();
  let runs = 0;
  let release: (n: number) => void = () => undefined;
  const work = () => {
    runs++;
    return new Promise<number>((resolve) => (release = resolve));
  };
  const all = Promise.all([flights.run('k', work), flights.run('k', work), flights.run('k', work)]);
  release(7);
  assert.deepEqual(await all, [7, 7, 7]);
  assert.equal(runs, 1);
  assert.equal(flights.size, 0);
  const again = flights.run('k', work);
  release(8);
  assert.equal(await again, 8);
  assert.equal(runs, 2);
});

test('a rejection reaches every waiter and is not remembered', async () => {
  const flights = new SingleFlight<number>();
  const failing = () => Promise.reject(new Error('boom'));
  await Promise.all([
    assert.rejects(flights.run('k', failing), /boom/),
    assert.rejects(flights.run('k', failing), /boom/),
  ]);
  assert.equal(await flights.run('k', async () => 1), 1);
});
