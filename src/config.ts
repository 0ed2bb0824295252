import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ConfigError } from './errors.js';
import type { MailvetConfig } from './config-types.js';
import { OPTIONS, type OptionSpec } from './config-options.js';

export type { MailvetConfig } from './config-types.js';

/** Where configuration comes from; later sources lose to earlier ones. */
export interface ConfigSources {
  /** Values from command-line flags, keyed by option path (`smtp.port`). */
  flags?: Record<string, unknown>;
  /** Environment; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** JSON config file (`--config`, `MAILVET_CONFIG`): nested like MailvetConfig. */
  file?: string | null;
}

/** Largest config file we read: a config is small; anything bigger is a mistake. */
const MAX_CONFIG_FILE_BYTES = 1_048_576;

/**
 * Build the one configuration: flags > env > file > defaults, each value
 * validated against its OptionSpec, the result deep-frozen. Throws ConfigError
 * naming the option and its source on the first bad value.
 */
export function loadConfig(sources: ConfigSources = {}): MailvetConfig {
  const env = sources.env ?? process.env;
  const filePath = sources.file ?? env.MAILVET_CONFIG ?? null;
  const fileValues = filePath ? readConfigFile(filePath) : {};
  const config: Record<string, unknown> = {};
  for (const spec of OPTIONS) {
    const flag = sources.flags?.[spec.path];
    const raw =
      flag !== undefined
        ? flag
        : env[spec.env] !== undefined && env[spec.env] !== ''
          ? env[spec.env]
          : getPath(fileValues, spec.path);
    const source =
      flag !== undefined ? 'flag' : env[spec.env] ? `env ${spec.env}` : `config file ${filePath}`;
    const value =
      raw === undefined ? spec.default : validated(spec, coerce(spec, raw, source), source);
    setPath(config, spec.path, structuredClone(value));
  }
  for (const key of Object.keys(fileValues)) checkKnownKeys(fileValues, key, filePath ?? '');
  return deepFreeze(config) as unknown as MailvetConfig;
}

/** The defaults alone, ignoring the environment (tests, library use). */
export function defaultConfig(overrides: Record<string, unknown> = {}): MailvetConfig {
  return loadConfig({ env: {}, flags: overrides, file: null });
}

function readConfigFile(path: string): Record<string, unknown> {
  const text = readBounded(path);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    // V8 quotes a snippet of the text ("Unexpected token 'p', "…hunter2@db"… is
    // not valid JSON"); the file may hold DATABASE_URL, so the snippet goes.
    const why = (err as Error).message.replace(/,\s.*\sis not valid JSON$/s, '');
    throw new ConfigError(`config file ${path} is not valid JSON: ${why}`);
  }
  if (!isObject(parsed)) throw new ConfigError(`config file ${path} must hold a JSON object`);
  return parsed;
}

/**
 * Read at most MAX_CONFIG_FILE_BYTES (+1 to detect overflow) without first
 * buffering the whole file: `--config /dev/zero` or a multi-gigabyte file
 * must fail with a clear error, not exhaust memory.
 */
function readBounded(path: string): string {
  const fail = (err: unknown): never => {
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  };
  const tooBig = (): never => {
    throw new ConfigError(`config file ${path} is larger than ${MAX_CONFIG_FILE_BYTES} bytes`);
  };
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    return fail(err);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) fail(new Error('it is a directory'));
    if (stat.isFile() && stat.size > MAX_CONFIG_FILE_BYTES) tooBig();
    const buffer = Buffer.alloc(MAX_CONFIG_FILE_BYTES + 1);
    let length = 0;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buffer, length, buffer.length - length, null);
      } catch (err) {
        return fail(err);
      }
      if (n === 0) break;
      length += n;
      if (length > MAX_CONFIG_FILE_BYTES) tooBig();
    }
    return buffer.toString('utf8', 0, length);
  } finally {
    closeSync(fd);
  }
}

/** Unknown keys in a config file are typos; silently ignoring them hides mistakes. */
function checkKnownKeys(
  values: Record<string, unknown>,
  key: string,
  file: string,
  prefix = '',
): void {
  const path = prefix + key;
  const value = values[key];
  const isLeaf = OPTIONS.some((o) => o.path === path);
  if (isLeaf) return;
  const isBranch = OPTIONS.some((o) => o.path.startsWith(path + '.'));
  if (!isBranch) throw new ConfigError(`unknown option "${path}" in config file ${file}`);
  if (!isObject(value))
    throw new ConfigError(`option "${path}" in config file ${file} must be an object`);
  for (const k of Object.keys(value)) checkKnownKeys(value, k, file, path + '.');
}

/** The value if the option's own check (beyond its type) accepts it; else a ConfigError naming both. */
function validated(spec: OptionSpec, value: unknown, source: string): unknown {
  const problem = spec.validate?.(value);
  if (problem !== undefined) throw new ConfigError(`invalid ${spec.path} (${source}): ${problem}`);
  return value;
}

function coerce(spec: OptionSpec, raw: unknown, source: string): unknown {
  const fail = (why: string): never => {
    throw new ConfigError(`invalid ${spec.path} (${source}): ${why}`);
  };
  const t = spec.type;
  switch (t.kind) {
    case 'int': {
      const n =
        typeof raw === 'number'
          ? raw
          : typeof raw === 'string' && /^-?\d+$/.test(raw.trim())
            ? Number(raw)
            : NaN;
      if (!Number.isSafeInteger(n)) fail(`expected a whole number, got ${JSON.stringify(raw)}`);
      if (n < t.min || n > t.max) fail(`${n} is outside ${t.min}..${t.max}`);
      return n;
    }
    case 'bool': {
      if (typeof raw === 'boolean') return raw;
      const s = String(raw).trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(s)) return true;
      if (['0', 'false', 'no', 'off'].includes(s)) return false;
      return fail(`expected true/false, got ${JSON.stringify(raw)}`);
    }
    case 'string': {
      if (raw === null && t.nullable) return null;
      if (typeof raw !== 'string' && typeof raw !== 'number') return fail('expected a string');
      const s = String(raw);
      if (/[\u0000-\u001f\u007f]/.test(s)) fail('control characters are not allowed');
      return s;
    }
    case 'list': {
      const items = Array.isArray(raw)
        ? raw
        : typeof raw === 'string'
          ? raw.split(',')
          : fail('expected a list');
      return items.map((x) => String(x).trim()).filter((x) => x.length > 0);
    }
    case 'enum': {
      const s = String(raw).trim();
      if (!t.values.includes(s)) fail(`expected one of ${t.values.join(', ')}`);
      return s;
    }
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function getPath(obj: Record<string, unknown>, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = obj;
  for (const part of parts.slice(0, -1)) {
    if (!isObject(cur[part])) cur[part] = {};
    cur = cur[part] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]] = value;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
