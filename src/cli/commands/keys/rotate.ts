import { Command } from 'commander';
import type { CliIo } from '../../cli-io.js';
import { addStoreOptions, storeOptionsFrom, usingStore } from '../../using-store.js';
import { createKeyService } from '../../../server/keys/key-service.js';
import { parseDuration } from '../../../server/keys/parse-duration.js';
import { InvalidArgumentError } from '../../../errors.js';
import { terminalSafeJson } from '../../output/terminal-text.js';
import { auditCliAction } from '../../admin-audit.js';

/**
 * `mailvet keys rotate <id> [--grace 1h] [--json]` — issue a new secret. The
 * old one keeps working for the grace period (default 0: stops at once, the
 * right default after a leak); `--json` prints `{"id":…,"key":…,…}`.
 * Audited like `POST /v1/keys/{id}/rotate` (row + log line on stderr).
 */
export function keysRotateCommand(io: CliIo): Command {
  const cmd = new Command('rotate')
    .description('replace a key’s secret; the old one works for --grace (default 0)')
    .argument('<id>', 'key id (key_…)')
    .option('--grace <duration>', 'how long the old secret stays valid, e.g. 1h, 7d', '0')
    .option('--json', 'print JSON');
  addStoreOptions(cmd);
  cmd.action(async (id: string) => {
    const o = cmd.opts<{ grace: string; json?: boolean }>();
    const graceSeconds = parseDuration(o.grace);
    const rotated = await usingStore(storeOptionsFrom(cmd, io.env), async (store) => {
      const key = await createKeyService(store).rotate(id, { graceSeconds });
      if (key) {
        await auditCliAction(store, io, {
          action: 'keys.rotate',
          command: 'mailvet keys rotate',
          object: key.id,
        });
      }
      return key;
    });
    if (!rotated) throw new InvalidArgumentError(`no active key with id ${terminalSafeJson(id)}`);
    if (o.json) {
      io.stdout.write(
        terminalSafeJson({
          id: rotated.id,
          key: rotated.key,
          previousExpiresAt: rotated.record.previousExpiresAt,
          record: rotated.record,
        }) + '\n',
      );
      return;
    }
    const until =
      graceSeconds === 0
        ? 'the old secret stopped working now'
        : `the old secret works until ${rotated.record.previousExpiresAt}`;
    io.stdout.write(
      `Rotated ${rotated.id}; ${until}.\n\nNew secret — shown only this once; store it now:\n${rotated.key}\n`,
    );
  });
  return cmd;
}
