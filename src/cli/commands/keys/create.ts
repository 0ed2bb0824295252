import { Command } from 'commander';
import type { CliIo } from '../../cli-io.js';
import { addStoreOptions, storeOptionsFrom, usingStore } from '../../using-store.js';
import { createKeyService } from '../../../server/keys/key-service.js';
import { parseScopes } from '../../../server/keys/api-key-scope.js';
import { formatRate } from '../../../server/keys/parse-rate.js';
import { printable, terminalSafeJson } from '../../output/terminal-text.js';
import { auditCliAction } from '../../admin-audit.js';

/**
 * `mailvet keys create --name N --scopes verify,jobs [--rate 600/min]
 * [--expires 30d] [--tenant T] [--json]` — the secret is printed once, here,
 * and never again; `--json` prints `{"id":…,"key":…,"record":…}`. Audited
 * like `POST /v1/keys` (row + log line on stderr, never the secret).
 */
export function keysCreateCommand(io: CliIo): Command {
  const cmd = new Command('create')
    .description('create an API key and print its secret (shown only once)')
    .requiredOption('--name <name>', 'label for the key (who or what uses it)')
    .requiredOption('--scopes <list>', 'comma-separated: verify, jobs, admin')
    .option('--rate <rate>', 'rate limit like 600/min, 10/s, 36000/hour (default: server setting)')
    .option('--expires <duration>', 'expire after e.g. 30d, 12h (default: never)')
    .option('--tenant <tenant>', 'owner of jobs created with the key (default: the key id)')
    .option('--json', 'print JSON');
  addStoreOptions(cmd);
  cmd.action(async () => {
    const o = cmd.opts<{
      name: string;
      scopes: string;
      rate?: string;
      expires?: string;
      tenant?: string;
      json?: boolean;
    }>();
    // Parse before opening the store so a typo costs no database work.
    const scopes = parseScopes(o.scopes);
    const created = await usingStore(storeOptionsFrom(cmd, io.env), async (store) => {
      const key = await createKeyService(store).create({
        name: o.name,
        scopes,
        ...(o.rate !== undefined ? { rate: o.rate } : {}),
        ...(o.expires !== undefined ? { expiresIn: o.expires } : {}),
        ...(o.tenant !== undefined ? { tenant: o.tenant } : {}),
      });
      await auditCliAction(store, io, {
        action: 'keys.create',
        command: 'mailvet keys create',
        object: key.id,
      });
      return key;
    });
    if (o.json) {
      io.stdout.write(
        terminalSafeJson({ id: created.id, key: created.key, record: created.record }) + '\n',
      );
      return;
    }
    const r = created.record;
    io.stdout.write(
      [
        `Created ${r.id} "${printable(r.name)}"`,
        `  scopes:  ${r.scopes.join(', ')}`,
        `  rate:    ${r.rate ? formatRate(r.rate) : 'server default'}`,
        `  expires: ${r.expiresAt ?? 'never'}`,
        `  tenant:  ${printable(r.tenant)}`,
        '',
        'Secret — shown only this once; store it now:',
        created.key,
        '',
      ].join('\n'),
    );
  });
  return cmd;
}
