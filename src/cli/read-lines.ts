import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/** Longest input line kept; longer lines are cut (and so fail syntax checks) rather than buffered. */
export const MAX_INPUT_LINE = 4096;

/** Non-empty, trimmed lines of a stream (`#` comments skipped). */
export async function* readLines(input: Readable): AsyncGenerator<string> {
  const rl = createInterface({ input, crlfDelay: Infinity });
  for await (const raw of rl) {
    const line = raw.length > MAX_INPUT_LINE ? raw.slice(0, MAX_INPUT_LINE + 1) : raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    yield line;
  }
}
