import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createServer } from 'node:net';
import { runMailvet, type CliRun } from './run-cli.js';

// Every command that opens the store, as an operator would start it.
const COMMANDS = [['serve'], ['worker'], ['migrate'], ['migrate', '--status'], ['keys', 'list']];
const PASSWORD = 'hunter2-do-not-print';

/** A loopback port nothing listens on: bound once by us, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** One line on stderr, no stack trace, nothing on stdout, never the password. */
function assertOneLine(run: CliRun, pattern: RegExp): void {
  assert.equal(run.stdout, '');
  const lines = run.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(run.stderr, /\n\s+at |hunter2/);
}

let port: number;
before(async () => {
  port = await closedPort();
});

for (const args of COMMANDS) {
  it(`mailvet ${args.join(' ')}: PostgreSQL not listening → one line naming host:port, exit 1`, async () => {
    const run = await runMailvet(args, {
      env: { DATABASE_URL: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/test` },
    });
    assert.equal(run.code, 1);
    assertOneLine(
      run,
      new RegExp(
        `^mailvet: cannot connect to PostgreSQL at 127\\.0\\.0\\.1:${port}/test: connect ECONNREFUSED .*DATABASE_URL`,
      ),
    );
  });

  it(`mailvet ${args.join(' ')}: unwritable SQLite data dir → one line naming it, exit 2`, async () => {
    const run = await runMailvet(args, { env: { MAILVET_DATA_DIR: '/proc/nope' } });
    assert.equal(run.code, 2);
    assertOneLine(
      run,
      /^mailvet: cannot open SQLite database \/proc\/nope\/mailvet\.sqlite: ENOENT.*MAILVET_DATA_DIR/,
    );
  });
}

it('a PostgreSQL server that refuses the login is reported the same way, without the password', async () => {
  const run = await runMailvet(['keys', 'list'], {
    env: { DATABASE_URL: `postgres://mailvet_no_such_role:${PASSWORD}@127.0.0.1:5432/test` },
  });
  assert.equal(run.code, 1);
  assertOneLine(
    run,
    /^mailvet: cannot connect to PostgreSQL at 127\.0\.0\.1:5432\/test: role "mailvet_no_such_role" does not exist/,
  );
});
