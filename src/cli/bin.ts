#!/usr/bin/env node
import { runCli } from './cli.js';

// Only argv handling here, so the CLI itself is testable without a process.
runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`mailvet: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
