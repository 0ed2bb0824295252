import { Command } from 'commander';
import type { CliIo } from '../cli-io.js';
import { addStoreOptions, storeOptionsFrom, usingStore } from '../using-store.js';
import { MailvetError } from '../../errors.js';

/**
 * `mailvet migrate [--status] [--json]` — apply pending schema migrations
 * (servers also do this on start), or with `--status` list them. A failed
 * migration exits non-zero; the ones before it stay applied.
 */
export function migrateCommand(io: CliIo): Command {
  const cmd = new Command('migrate')
    .description('apply pending database migrations (or show their status)')
    .option('--status', 'list migrations and when they ran; change nothing')
    .option('--json', 'print JSON');
  addStoreOptions(cmd);
  cmd.action(async () => {
    const { status, json } = cmd.opts<{ status?: boolean; json?: boolean }>();
    const options = { ...storeOptionsFrom(cmd, io.env), migrate: false };
    await usingStore(options, async (store) => {
      const where = store.adapter.dialectName;
      if (status) {
        const states = await store.migrationStatus();
        if (json) {
          io.stdout.write(JSON.stringify({ dialect: where, migrations: states }) + '\n');
          return;
        }
        for (const m of states) {
          io.stdout.write(
            `${m.executedAt ? m.executedAt.toISOString() : 'pending'.padEnd(24)}  ${m.name}\n`,
          );
        }
        return;
      }
      const report = await store.migrateToLatest();
      if (json) {
        io.stdout.write(
          JSON.stringify({
            dialect: where,
            results: report.results,
            ...(report.error !== undefined ? { error: String(report.error) } : {}),
          }) + '\n',
        );
      } else {
        for (const r of report.results) io.stdout.write(`${r.status.padEnd(11)} ${r.name}\n`);
        if (report.results.length === 0 && report.error === undefined) {
          io.stdout.write(`${where}: schema is up to date\n`);
        }
      }
      if (report.error !== undefined) {
        throw new MailvetError(
          'MV_ERR_MIGRATION',
          `migration failed: ${String(report.error)}`,
          500,
          {
            cause: report.error,
          },
        );
      }
    });
  });
  return cmd;
}
