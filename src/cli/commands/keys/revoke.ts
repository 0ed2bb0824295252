import { Command } from 'commander';
import type { CliIo } from '../../cli-io.js';
import { addStoreOptions, storeOptionsFrom, usingStore } from '../../using-store.js';
import { createKeyService } from '../../../server/keys/key-service.js';
import { InvalidArgumentError } from '../../../errors.js';
import { terminalSafeJson } from '../../output/terminal-text.js';

/** `mailvet keys revoke <id> [--json]` — the key (and any grace secret) stops at once. */
export function keysRevokeCommand(io: CliIo): Command {
  const cmd = new Command('revoke')
    .description('revoke a key immediately (idempotent)')
    .argument('<id>', 'key id (key_…)')
    .option('--json', 'print the revoked key as JSON');
  addStoreOptions(cmd);
  cmd.action(async (id: string) => {
    const record = await usingStore(storeOptionsFrom(cmd, io.env), (store) =>
      createKeyService(store).revoke(id),
    );
    if (!record) throw new InvalidArgumentError(`no key with id ${terminalSafeJson(id)}`);
    io.stdout.write(
      cmd.opts().json
        ? terminalSafeJson(record) + '\n'
        : `Revoked ${record.id} at ${record.revokedAt}\n`,
    );
  });
  return cmd;
}
