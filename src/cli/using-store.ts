import { Option } from 'commander';
import type { Command } from 'commander';
import { openStore } from '../store/open-store.js';
import type { Store, StoreOptions } from '../store/store.js';
import type { CliIo } from './cli-io.js';

/** `--data-dir` / `--database-url` on a command that opens the store. */
export function addStoreOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--data-dir <dir>',
        'directory of the SQLite file (env MAILVET_DATA_DIR, default ./data)',
      ),
    )
    .addOption(
      new Option('--database-url <url>', 'PostgreSQL URL, ?schema=name allowed (env DATABASE_URL)'),
    );
}

/** Flags beat environment; an empty DATABASE_URL counts as unset. */
export function storeOptionsFrom(cmd: Command, env: CliIo['env']): StoreOptions {
  const opts = cmd.opts<{ dataDir?: string; databaseUrl?: string }>();
  const databaseUrl = opts.databaseUrl ?? (env.DATABASE_URL || undefined);
  const dataDir = opts.dataDir ?? (env.MAILVET_DATA_DIR || undefined);
  return { databaseUrl: databaseUrl ?? null, ...(dataDir ? { dataDir } : {}) };
}

/**
 * Open the store (running pending migrations first), run `fn`, and close the
 * store whatever happens — the kysely-ctl `using-*` shape, so commands stay
 * thin and never leak a connection pool that would keep the process alive.
 */
export async function usingStore<T>(
  options: StoreOptions,
  fn: (store: Store) => Promise<T>,
): Promise<T> {
  const store = await openStore({ ...options, migrate: options.migrate ?? true });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
