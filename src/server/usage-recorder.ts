import type { UsageRepo } from '../store/usage-repo.js';
import { usageDay } from '../store/usage-repo.js';
import { BufferedWriter } from './buffered-writer.js';

const DAY_MS = 86_400_000;

interface UsageIncrement {
  keyId: string;
  day: string;
  status: string;
  n: number;
}

/**
 * Counts verifications per key, UTC day and result status. Increments are
 * buffered and merged, then written as atomic upserts, so usage costs one
 * write per (key, day, status) per flush rather than one per address.
 */
export class UsageRecorder {
  readonly #writer: BufferedWriter<UsageIncrement>;
  readonly #now: () => number;

  constructor(repo: UsageRepo, onError: (err: unknown) => void, now: () => number = Date.now) {
    this.#now = now;
    this.#writer = new BufferedWriter({
      onError,
      write: async (items) => {
        const merged = new Map<string, UsageIncrement>();
        for (const it of items) {
          const id = `${it.keyId}\u0000${it.day}\u0000${it.status}`;
          const prev = merged.get(id);
          if (prev) prev.n += it.n;
          else merged.set(id, { ...it });
        }
        for (const m of merged.values()) await repo.increment(m.keyId, m.day, m.status, m.n);
      },
    });
  }

  record(keyId: string, status: string, n = 1): void {
    this.#writer.push({ keyId, day: this.#day(), status, n });
  }

  #dayText = '';
  #dayEndsAt = 0;
  /** The UTC day, recomputed only when it changes (this runs on every verification). */
  #day(): string {
    const at = this.#now();
    if (at >= this.#dayEndsAt || at < this.#dayEndsAt - DAY_MS) {
      this.#dayText = usageDay(at);
      this.#dayEndsAt = (Math.floor(at / DAY_MS) + 1) * DAY_MS;
    }
    return this.#dayText;
  }

  flush(): Promise<void> {
    return this.#writer.flush();
  }
}
