/**
 * Map an (async) iterable through an async function with at most `window`
 * calls in flight, yielding `{index, result}` as each call finishes. Input is
 * pulled only when a slot is free, so memory stays flat however long the
 * input is, and a slow item never holds back the ones behind it.
 */
export async function* runWindowed<T, R>(
  input: Iterable<T> | AsyncIterable<T>,
  window: number,
  fn: (item: T, index: number) => Promise<R>,
): AsyncGenerator<{ index: number; result: R }> {
  if (!Number.isInteger(window) || window < 1)
    throw new RangeError('window must be a positive integer');
  const iterator =
    Symbol.asyncIterator in input
      ? (input as AsyncIterable<T>)[Symbol.asyncIterator]()
      : (input as Iterable<T>)[Symbol.iterator]();
  const inFlight = new Map<number, Promise<{ index: number; result: R }>>();
  let next = 0;
  let exhausted = false;
  try {
    while (true) {
      while (!exhausted && inFlight.size < window) {
        const step = await iterator.next();
        if (step.done) {
          exhausted = true;
          break;
        }
        const index = next++;
        inFlight.set(
          index,
          fn(step.value, index).then((result) => ({ index, result })),
        );
      }
      if (inFlight.size === 0) return;
      const done = await Promise.race(inFlight.values());
      inFlight.delete(done.index);
      yield done;
    }
  } finally {
    // Consumer stopped early: let the input clean up; in-flight calls settle on their own.
    if (!exhausted) await iterator.return?.();
  }
}
