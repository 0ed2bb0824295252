import type { Readable, Writable } from 'node:stream';

/** The streams a command talks to; injected so commands run in tests without spawning. */
export interface CliIo {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  /** A command that finished but failed (doctor found problems) sets this; runCli returns it. */
  exitCode?: number;
}

export function processIo(): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** Thrown by commands for bad usage; the CLI prints the message and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
