import type { Writable } from 'node:stream';

/** Minimum time between two plain (non-TTY) progress lines. */
const PLAIN_INTERVAL_MS = 5_000;
/** Minimum time between two redraws of the TTY bar. */
const TTY_INTERVAL_MS = 200;

/**
 * Progress on stderr: a redrawn bar on a terminal, plain lines otherwise
 * (logs and CI stay readable). Shows done/total, rate and ETA.
 */
export class ProgressReporter {
  private readonly started = Date.now();
  private lastDraw = 0;
  private done = 0;

  constructor(
    private readonly out: Writable & { isTTY?: boolean },
    private readonly total: number,
    private readonly alreadyDone = 0,
  ) {}

  tick(): void {
    this.done++;
    const now = Date.now();
    if (now - this.lastDraw >= (this.out.isTTY ? TTY_INTERVAL_MS : PLAIN_INTERVAL_MS)) {
      this.lastDraw = now;
      this.draw(false);
    }
  }

  finish(): void {
    this.draw(true);
  }

  private draw(final: boolean): void {
    const seconds = Math.max(0.001, (Date.now() - this.started) / 1000);
    const rate = this.done / seconds;
    const complete = this.alreadyDone + this.done;
    const left = Math.max(0, this.total - complete);
    const eta = rate > 0 ? formatDuration(left / rate) : '?';
    const pct = this.total > 0 ? Math.floor((complete / this.total) * 100) : 100;
    const text = `${complete}/${this.total} (${pct}%) ${rate.toFixed(1)}/s ETA ${final ? '0s' : eta}`;
    if (this.out.isTTY) {
      const width = 30;
      const filled = Math.round((pct / 100) * width);
      this.out.write(
        `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}\x1b[K${final ? '\n' : ''}`,
      );
    } else {
      this.out.write(`progress ${text}\n`);
    }
  }
}

function formatDuration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.ceil(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${Math.ceil(s % 60)}s`;
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}
