import { Command } from 'commander';
import type { CliIo } from '../../cli-io.js';
import { addStoreOptions, storeOptionsFrom, usingStore } from '../../using-store.js';
import { createKeyService } from '../../../server/keys/key-service.js';
import { InvalidArgumentError } from '../../../errors.js';
import { terminalSafeJson } from '../../output/terminal-text.js';
import { auditCliAction } from '../../admin-audit.js';

/**
 * `mailvet keys revoke <id> [--json]` — the key (and any grace secret) stops
 * at once. Audited like `DELETE /v1/keys/{id}` (row + log line on stderr).
 */
export function keysRevokeCommand(io: CliIo): Command {
  const cmd = new Command('revoke')
    .description('revoke a key immediately (idempotent)')
    .argument('<id>', 'key id (key_…)')
    .option('--json', 'print the revoked key as JSON');
  addStoreOptions(cmd);
  cmd.action(async (id: string) => {
    const record = await usingStore(storeOptionsFrom(cmd, io.env), async (store) => {
      const revoked = await createKeyService(store).revoke(id);
      if (revoked) {
        await auditCliAction(store, io, {
          action: 'keys.revoke',
          command: 'mailvet keys revoke',
          object: revoked.id,
        });
      }
      return revoked;
    });
    if (!record) throw new InvalidArgumentError(`no key with id ${terminalSafeJson(id)}`);
    io.stdout.write(
      cmd.opts().json
        ? terminalSafeJson(record) + '\n'
        : `Revoked ${record.id} at ${record.revokedAt}\n`,
    );
  });
  return cmd;
}
