import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** Longest input line kept; longer lines are cut (and so fail syntax checks) rather than buffered. */
export const MAX_INPUT_LINE = 4096;

const LF = 0x0a;
const CR = 0x0d;

/**
 * Non-empty, trimmed lines of a stream (`#` comments skipped). Memory stays
 * bounded by MAX_INPUT_LINE whatever arrives: readline would buffer a
 * newline-free gigabyte before handing it over, so lines are split here and
 * the rest of an over-long line is dropped as it streams past. An over-long
 * line is yielded as its first MAX_INPUT_LINE + 1 characters, so it still gets
 * a result (`invalid_syntax`) and output keeps one row per input line.
 */
export async function* readLines(input: Readable): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let line = '';
  let overLong = false;
  const finish = (): string | null => {
    const text = overLong ? line : line.trim();
    line = '';
    overLong = false;
    return text === '' || text.startsWith('#') ? null : text;
  };
  const append = (piece: string): void => {
    if (overLong) return;
    line += piece;
    if (line.length > MAX_INPUT_LINE + 1) {
      line = line.slice(0, MAX_INPUT_LINE + 1);
      overLong = true;
    }
  };
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let start = 0;
    // CR, LF and CRLF all end a line (as readline does); the empty "line"
    // between CR and LF is skipped like any blank line.
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== LF && c !== CR) continue;
      append(text.slice(start, i));
      const done = finish();
      if (done !== null) yield done;
      start = i + 1;
    }
    append(text.slice(start));
  }
  append(decoder.end());
  const last = finish();
  if (last !== null) yield last;
}
