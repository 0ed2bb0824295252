import assert from 'node:assert/strict';
import diagnostics_channel from 'node:diagnostics_channel';
import { test } from 'node:test';
import { HostBreaker } from '../../../src/verify/smtp/host-breaker.js';

function clock() {
  let t = 1_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

test('opens after the threshold of consecutive failures and refuses work', () => {
  const c = clock();
  const breaker = new HostBreaker({ failureThreshold: 3, openMs: 1000, now: c.now });
  breaker.recordFailure();
  breaker.recordFailure();
  assert.equal(breaker.state, 'closed');
  assert.equal(breaker.allowsWork(), true);
  breaker.recordFailure();
  assert.equal(breaker.state, 'open');
  assert.equal(breaker.allowsWork(), false);
  assert.equal(breaker.tryAcquireConnect(), false);
});

test('a success resets the failure count', () => {
  const breaker = new HostBreaker({ failureThreshold: 2 });
  breaker.recordFailure();
  breaker.recordSuccess();
  breaker.recordFailure();
  assert.equal(breaker.state, 'closed');
});

test('half-open after the cool-down lets exactly one attempt through', () => {
  const c = clock();
  const breaker = new HostBreaker({ failureThreshold: 1, openMs: 500, now: c.now });
  breaker.recordFailure();
  assert.equal(breaker.state, 'open');
  c.advance(500);
  assert.equal(breaker.state, 'half_open');
  assert.equal(breaker.tryAcquireConnect(), true);
  assert.equal(breaker.tryAcquireConnect(), false);
  breaker.recordSuccess();
  assert.equal(breaker.state, 'closed');
  assert.equal(breaker.pristine, true);
});

test('a failed half-open attempt re-opens the breaker', () => {
  const c = clock();
  const breaker = new HostBreaker({ failureThreshold: 1, openMs: 500, now: c.now });
  breaker.recordFailure();
  c.advance(600);
  assert.equal(breaker.tryAcquireConnect(), true);
  breaker.recordFailure();
  assert.equal(breaker.state, 'open');
  assert.ok(breaker.remainingOpenMs() > 0);
});

test('publishes every transition on mailvet:smtp:breaker', () => {
  const seen: unknown[] = [];
  const listener = (message: unknown) => seen.push(message);
  diagnostics_channel.subscribe('mailvet:smtp:breaker', listener);
  try {
    const c = clock();
    const breaker = new HostBreaker({ failureThreshold: 1, openMs: 10, now: c.now });
    breaker.recordFailure();
    c.advance(10);
    breaker.tryAcquireConnect();
    breaker.recordSuccess();
  } finally {
    diagnostics_channel.unsubscribe('mailvet:smtp:breaker', listener);
  }
  assert.deepEqual(seen, [
    { from: 'closed', to: 'open' },
    { from: 'open', to: 'half_open' },
    { from: 'half_open', to: 'closed' },
  ]);
});
