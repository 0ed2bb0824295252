import { PassThrough } from 'node:stream';
import type { CliIo } from '../../src/cli/cli-io.js';

/** A CliIo whose output is captured as text, for running commands in-process. */
export function captureIo(env: Record<string, string>): CliIo & { out(): string; err(): string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return {
    stdin: new PassThrough(),
    stdout,
    stderr,
    env: { ...env },
    out: () => out,
    err: () => err,
  };
}
