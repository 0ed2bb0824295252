import { InvalidArgumentError } from '../../errors.js';

/** Every scope a key can hold. `admin` implies the others (see hasScope). */
export const API_KEY_SCOPES = ['verify', 'jobs', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export function isApiKeyScope(value: unknown): value is ApiKeyScope {
  return typeof value === 'string' && (API_KEY_SCOPES as readonly string[]).includes(value);
}

/**
 * Parse `verify,jobs` (or an array) into distinct known scopes, in canonical
 * order. At least one scope is required: a key that can do nothing is a mistake.
 */
export function parseScopes(input: string | readonly string[]): ApiKeyScope[] {
  const parts = (typeof input === 'string' ? input.split(',') : input).map((s) => s.trim());
  const unknown = parts.filter((s) => s !== '' && !isApiKeyScope(s));
  if (unknown.length > 0) {
    throw new InvalidArgumentError(
      `unknown scope ${unknown.map((s) => JSON.stringify(s)).join(', ')}; expected ${API_KEY_SCOPES.join(', ')}`,
    );
  }
  const set = new Set(parts);
  const scopes = API_KEY_SCOPES.filter((s) => set.has(s));
  if (scopes.length === 0) {
    throw new InvalidArgumentError(`at least one scope is required (${API_KEY_SCOPES.join(', ')})`);
  }
  return scopes;
}
