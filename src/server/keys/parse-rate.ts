import { InvalidArgumentError } from '../../errors.js';

/** `limit` requests per `windowSeconds`. */
export interface RatePolicy {
  limit: number;
  windowSeconds: number;
}

/** Largest window a rate may use: one day. Longer windows are quotas, not rates. */
export const MAX_RATE_WINDOW_SECONDS = 86_400;
/** Largest limit accepted, to catch typos like an extra few zeros. */
export const MAX_RATE_LIMIT = 100_000_000;

const UNITS: Record<string, number> = {
  s: 1,
  sec: 1,
  second: 1,
  m: 60,
  min: 60,
  minute: 60,
  h: 3600,
  hr: 3600,
  hour: 3600,
  d: 86_400,
  day: 86_400,
};

/**
 * Parse `600/min`, `10/s`, `36000/hour`, `100/5m`. Throws InvalidArgumentError
 * with the accepted forms on anything else.
 */
export function parseRate(text: string): RatePolicy {
  const match = /^\s*(\d{1,9})\s*\/\s*(\d{0,6})\s*([a-z]+?)s?\s*$/i.exec(text);
  const unit = match ? UNITS[match[3].toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    throw new InvalidArgumentError(
      `invalid rate ${JSON.stringify(text)}; expected <count>/<unit> like 600/min, 10/s, 36000/hour`,
    );
  }
  const limit = Number(match[1]);
  const windowSeconds = (match[2] === '' ? 1 : Number(match[2])) * unit;
  return checkRate({ limit, windowSeconds });
}

/** Validate a rate given as an object (HTTP body, config). */
export function checkRate(rate: RatePolicy): RatePolicy {
  if (!Number.isSafeInteger(rate.limit) || rate.limit < 1 || rate.limit > MAX_RATE_LIMIT) {
    throw new InvalidArgumentError(`rate limit must be an integer 1..${MAX_RATE_LIMIT}`);
  }
  if (
    !Number.isSafeInteger(rate.windowSeconds) ||
    rate.windowSeconds < 1 ||
    rate.windowSeconds > MAX_RATE_WINDOW_SECONDS
  ) {
    throw new InvalidArgumentError(`rate window must be 1..${MAX_RATE_WINDOW_SECONDS} seconds`);
  }
  return { limit: rate.limit, windowSeconds: rate.windowSeconds };
}

/** Render as the shortest `<n>/<unit>` form (`600/min`), for display and JSON. */
export function formatRate(rate: RatePolicy): string {
  for (const [unit, seconds] of [
    ['day', 86_400],
    ['hour', 3600],
    ['min', 60],
  ] as const) {
    if (rate.windowSeconds === seconds) return `${rate.limit}/${unit}`;
  }
  return rate.windowSeconds === 1 ? `${rate.limit}/s` : `${rate.limit}/${rate.windowSeconds}s`;
}
