import { PassThrough, Readable } from 'node:stream';
import { runCli } from '../../src/cli/cli.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as NDJSON. */
  json: () => Record<string, unknown>[];
}

/** Run the CLI in-process with captured streams (no spawning, same code path as the binary). */
export async function runMailvet(
  args: string[],
  options: { stdin?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const stdin = Readable.from(options.stdin !== undefined ? [options.stdin] : []);
  const code = await runCli(args, { stdin, stdout, stderr, env: options.env ?? {} });
  return {
    code,
    stdout: out,
    stderr: err,
    json: () =>
      out
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
