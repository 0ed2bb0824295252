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
