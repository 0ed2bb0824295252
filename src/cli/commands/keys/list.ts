import { Command } from 'commander';
import type { CliIo } from '../../cli-io.js';
import { addStoreOptions, storeOptionsFrom, usingStore } from '../../using-store.js';
import { createKeyService } from '../../../server/keys/key-service.js';
import type { ApiKeyRecord } from '../../../server/keys/key-service.js';
import { formatRate } from '../../../server/keys/parse-rate.js';
import { printable, terminalSafeJson } from '../../output/terminal-text.js';

/** `mailvet keys list [--json]` — every key, newest first; never a secret. */
export function keysListCommand(io: CliIo): Command {
  const cmd = new Command('list')
    .description('list API keys (no secrets)')
    .option('--json', 'print a JSON array');
  addStoreOptions(cmd);
  cmd.action(async () => {
    const keys = await usingStore(storeOptionsFrom(cmd, io.env), (store) =>
      createKeyService(store).list(),
    );
    if (cmd.opts().json) {
      io.stdout.write(terminalSafeJson(keys) + '\n');
      return;
    }
    io.stdout.write(formatKeyTable(keys, Date.now()));
  });
  return cmd;
}

/** active | revoked | expired, as of `now`. */
export function keyState(key: ApiKeyRecord, now: number): 'active' | 'revoked' | 'expired' {
  if (key.revokedAt !== null) return 'revoked';
  if (key.expiresAt !== null && Date.parse(key.expiresAt) <= now) return 'expired';
  return 'active';
}

function formatKeyTable(keys: ApiKeyRecord[], now: number): string {
  if (keys.length === 0) return 'no API keys (create one with: mailvet keys create)\n';
  const header = [
    'ID',
    'NAME',
    'PREFIX',
    'SCOPES',
    'RATE',
    'STATE',
    'CREATED',
    'EXPIRES',
    'LAST USED',
  ];
  // Names and tenants are set over the API by admins; still never raw to a terminal.
  const rows = keys.map((k) => [
    k.id,
    printable(k.name),
    k.prefix,
    k.scopes.join(','),
    k.rate ? formatRate(k.rate) : 'default',
    keyState(k, now),
    k.createdAt,
    k.expiresAt ?? 'never',
    k.lastUsedAt ?? 'never',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return (
    [header, ...rows]
      .map((r) =>
        r
          .map((cell, i) => cell.padEnd(widths[i]))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}
