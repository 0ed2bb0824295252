import { InvalidArgumentError } from '../../errors.js';

/** Ten years: longer "durations" are almost certainly typos. */
export const MAX_DURATION_SECONDS = 10 * 365 * 86_400;

const UNIT_SECONDS: Record<string, number> = {
  s: 1,
  m: 60,
  h: 3600,
  d: 86_400,
  w: 604_800,
};

/**
 * Parse `30d`, `12h`, `15m`, `45s`, `2w` (or `0`) into whole seconds.
 * Throws InvalidArgumentError naming the accepted forms on anything else.
 */
export function parseDuration(text: string): number {
  const match = /^\s*(\d{1,10})\s*([smhdw]?)\s*$/i.exec(text);
  if (!match || (match[2] === '' && match[1] !== '0')) {
    throw new InvalidArgumentError(
      `invalid duration ${JSON.stringify(text)}; expected <number><unit> with unit s, m, h, d or w (e.g. 30d, 12h)`,
    );
  }
  const seconds = Number(match[1]) * (match[2] === '' ? 0 : UNIT_SECONDS[match[2].toLowerCase()]);
  if (seconds > MAX_DURATION_SECONDS) {
    throw new InvalidArgumentError(`duration ${JSON.stringify(text)} exceeds 10 years`);
  }
  return seconds;
}
