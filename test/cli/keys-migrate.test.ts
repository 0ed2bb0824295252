import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachDialect } from '../store/dialects.js';
import { captureIo } from './keys-cli-io.js';
import { migrateCommand } from '../../src/cli/commands/migrate.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';

// `mailvet migrate` lives beside the keys commands: both are store CLIs.
forEachDialect('mailvet migrate', (d) => {
  async function run(argv: string[]) {
    const io = captureIo(d.env);
    await migrateCommand(io).parseAsync(argv, { from: 'user' });
    return io.out();
  }

  it('lists pending migrations, applies them, then reports up to date', async () => {
    const before = JSON.parse(await run(['--status', '--json'])) as {
      dialect: string;
      migrations: { name: string; executedAt?: string }[];
    };
    assert.equal(before.dialect, d.dialect);
    assert.deepEqual(
      before.migrations.map((m) => [m.name, m.executedAt]),
      Object.keys(MIGRATIONS).map((n) => [n, undefined]),
    );
    assert.match(await run([]), /^Success\s+001-initial$/m);
    assert.match(await run([]), /schema is up to date/);
    const status = await run(['--status']);
    assert.match(status, /^\d{4}-\d\d-\d\dT\S+Z\s+001-initial$/m);
  });
});
