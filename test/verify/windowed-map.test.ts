import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runWindowed } from '../../src/verify/windowed-map.js';

test('yields every item once, in completion order, never exceeding the window', async () => {
  let active = 0;
  let peak = 0;
  const gates: (() => void)[] = [];
  const fn = async (n: number) => {
    active++;
    peak = Math.max(peak, active);
    await new Promise<void>((r) => gates.push(r));
    active--;
    return n * 2;
  };
  const seen: number[] = [];
  const it = runWindowed([1, 2, 3, 4, 5, 6, 7], 3, fn);
  const pump = setInterval(() => gates.pop()?.(), 1); // release the newest first
  for await (const { index, result } of it) {
    assert.equal(result, (index + 1) * 2);
    seen.push(index);
  }
  clearInterval(pump);
  assert.deepEqual([...seen].sort(), [0, 1, 2, 3, 4, 5, 6]);
  assert.ok(peak <= 3, `peak ${peak}`);
  assert.notDeepEqual(seen, [0, 1, 2, 3, 4, 5, 6], 'completion order, not input order');
});

test('pulls lazily from async input', async () => {
  let pulled = 0;
  async function* source() {
    for (let i = 0; i < 1000; i++) {
      pulled++;
      yield i;
    }
  }
  const it = runWindowed(source(), 4, async (n) => n);
  const first = await it.next();
  assert.equal(first.done, false);
  assert.ok(pulled <= 5, `pulled ${pulled}`);
  await it.return(undefined);
});

test('rejects a bad window', async () => {
  await assert.rejects(runWindowed([1], 0, async (n) => n).next(), RangeError);
});

test('a fired signal ends the iteration at once: no more input, nothing unfinished yielded', async () => {
  const controller = new AbortController();
  let pulled = 0;
  function* source() {
    for (let i = 0; i < 10; i++) {
      pulled++;
      yield i;
    }
  }
  const gates = new Map<number, () => void>();
  const fn = (n: number) =>
    n === 0 ? Promise.resolve(0) : new Promise<number>((resolve) => gates.set(n, () => resolve(n)));
  const seen: number[] = [];
  for await (const { index } of runWindowed(source(), 3, fn, controller.signal)) {
    seen.push(index);
    // Item 0 finished; 1..3 are in flight and never finish on their own.
    setImmediate(() => controller.abort());
  }
  assert.deepEqual(seen, [0], 'only the finished item is reported');
  assert.ok(pulled <= 4, `pulled ${pulled} after the stop`);
  // Calls still in flight settle later; their answers go nowhere.
  for (const open of gates.values()) open();
});

test('an already fired signal verifies nothing; abandoned failures are not unhandled', async () => {
  let called = 0;
  const none = runWindowed([1, 2], 2, async (n) => (called++, n), AbortSignal.abort());
  assert.equal((await none.next()).done, true);
  assert.equal(called, 0);

  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const controller = new AbortController();
    const rejects = (n: number) =>
      new Promise<number>((_, reject) => setTimeout(() => reject(new Error(`late ${n}`)), 20));
    const it = runWindowed([1, 2, 3], 3, rejects, controller.signal);
    const next = it.next();
    controller.abort();
    assert.equal((await next).done, true);
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
