/**
 * Map an (async) iterable through an async function with at most `window`
 * calls in flight, yielding `{index, result}` as each call finishes. Input is
 * pulled only when a slot is free, so memory stays flat however long the
 * input is, and a slow item never holds back the ones behind it.
 *
 * When `signal` fires, no more input is pulled and nothing more is yielded:
 * the iteration ends at once (at its next step, or while it waits for a
 * call), without waiting for the calls in flight. Those are abandoned — they
 * settle on their own and their results are dropped — so every index that
 * was not yielded is simply "not done", never a result.
 */
export async function* runWindowed<T, R>(
  input: Iterable<T> | AsyncIterable<T>,
  window: number,
  fn: (item: T, index: number) => Promise<R>,
  signal?: AbortSignal,
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
    while (!signal?.aborted) {
      while (!exhausted && inFlight.size < window && !signal?.aborted) {
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
      if (inFlight.size === 0 || signal?.aborted) return;
      const done = await (signal
        ? raceAbort(inFlight.values(), signal)
        : Promise.race(inFlight.values()));
      if (done === ABORTED) return;
      inFlight.delete(done.index);
      yield done;
    }
  } finally {
    // Abandoned calls must not surface as unhandled rejections.
    for (const call of inFlight.values()) call.catch(() => {});
    // Consumer stopped early: let the input clean up; in-flight calls settle on their own.
    if (!exhausted) await iterator.return?.();
  }
}

const ABORTED = Symbol('aborted');

/** The first of `calls` to settle, or ABORTED as soon as `signal` fires. */
function raceAbort<V>(
  calls: Iterable<Promise<V>>,
  signal: AbortSignal,
): Promise<V | typeof ABORTED> {
  if (signal.aborted) return Promise.resolve(ABORTED);
  let onAbort = () => {};
  const aborted = new Promise<typeof ABORTED>((resolve) => {
    onAbort = () => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([...calls, aborted]).finally(() =>
    signal.removeEventListener('abort', onAbort),
  );
}
