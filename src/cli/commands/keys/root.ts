import { Command } from 'commander';
import type { CliIo } from '../../cli-io.js';
import { keysCreateCommand } from './create.js';
import { keysListCommand } from './list.js';
import { keysRotateCommand } from './rotate.js';
import { keysRevokeCommand } from './revoke.js';

/**
 * `mailvet keys <create|list|rotate|revoke>` — the same key service as the
 * HTTP `/v1/keys` routes. Subcommands throw commander errors instead of
 * exiting and write through `io`, so tests run them in-process.
 */
export function keysCommand(io: CliIo): Command {
  const output = {
    writeOut: (s: string) => void io.stdout.write(s),
    writeErr: (s: string) => void io.stderr.write(s),
  };
  const root = new Command('keys')
    .description('manage API keys')
    .configureOutput(output)
    .exitOverride();
  for (const sub of [keysCreateCommand, keysListCommand, keysRotateCommand, keysRevokeCommand]) {
    root.addCommand(sub(io).configureOutput(output).exitOverride());
  }
  return root;
}
