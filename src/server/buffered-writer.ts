/** Most items held before a flush is forced. */
export const DEFAULT_BUFFER_MAX_ITEMS = 500;
/** Longest an item waits in the buffer. */
export const DEFAULT_BUFFER_FLUSH_MS = 1_000;

export interface BufferedWriterOptions<T> {
  /** Persist a batch; a rejection is reported to `onError` and the batch dropped. */
  write(items: T[]): Promise<void>;
  onError(err: unknown): void;
  maxItems?: number;
  flushMs?: number;
}

/**
 * Collects items and writes them in batches, so per-request records (audit
 * rows, usage counts) cost one database round trip per batch instead of one
 * per request. `flush()` is awaited before reads that must see recent items
 * and on close, so nothing is lost on graceful shutdown.
 */
export class BufferedWriter<T> {
  readonly #options: Required<BufferedWriterOptions<T>>;
  #items: T[] = [];
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> = Promise.resolve();

  constructor(options: BufferedWriterOptions<T>) {
    this.#options = {
      maxItems: DEFAULT_BUFFER_MAX_ITEMS,
      flushMs: DEFAULT_BUFFER_FLUSH_MS,
      ...options,
    };
  }

  push(item: T): void {
    this.#items.push(item);
    if (this.#items.length >= this.#options.maxItems) {
      void this.flush();
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => void this.flush(), this.#options.flushMs);
      this.#timer.unref();
    }
  }

  /** Write everything pushed so far; resolves when it is stored (or failed). */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#items;
    this.#items = [];
    // Chained so batches are written in order and flush() waits for earlier ones.
    this.#inFlight = this.#inFlight.then(async () => {
      if (batch.length === 0) return;
      try {
        await this.#options.write(batch);
      } catch (err) {
        this.#options.onError(err);
      }
    });
    return this.#inFlight;
  }
}
