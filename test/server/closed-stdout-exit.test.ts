/**
 * `mailvet serve | head -1` and `mailvet worker | head -1`: the reader of
 * stdout (where the log goes) is gone, then SIGTERM. The process must still
 * finish its shutdown and exit with 0, not spin retrying the last log lines
 * into the closed pipe (pino's exit hook retries a failed synchronous write
 * forever).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';

/** Generous for a shutdown of an idle process, far below "never". */
const EXIT_WITHIN_MS = 8_000;

const dirs: string[] = [];
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The real CLI on a fresh SQLite store, its stdout a pipe this test owns. */
function spawnCli(args: string[]): ChildProcess {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mailvet-stdout-'));
  dirs.push(dataDir);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', ...args], {
    env: {
      ...process.env,
      MAILVET_DATA_DIR: dataDir,
      DATABASE_URL: '',
      MAILVET_SMTP: 'false',
      MAILVET_LOG_LEVEL: 'info',
      REDIS_URL: '',
    },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  children.push(child);
  return child;
}

/**
 * Read the first log line, close the pipe as `head -1` does, then SIGTERM
 * at once: the shutdown's own log lines are still buffered when it ends.
 */
async function closeStdoutThenTerminate(child: ChildProcess): Promise<{
  code: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
}> {
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  assert.match(line, /^\{/, 'the log goes to stdout');
  child.stdout!.destroy();
  const started = Date.now();
  child.kill('SIGTERM');
  let deadline: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    exited,
    new Promise<'hung'>(
      (resolve) => (deadline = setTimeout(() => resolve('hung'), EXIT_WITHIN_MS)),
    ),
  ]);
  clearTimeout(deadline);
  if (outcome === 'hung') {
    child.kill('SIGKILL');
    assert.fail(`still running ${EXIT_WITHIN_MS} ms after SIGTERM`);
  }
  const [code, signal] = outcome;
  return { code, signal, ms: Date.now() - started };
}

describe('SIGTERM with stdout a closed pipe', () => {
  it('mailvet serve exits with 0', async () => {
    const result = await closeStdoutThenTerminate(spawnCli(['serve', '--port', '0']));
    assert.deepEqual({ code: result.code, signal: result.signal }, { code: 0, signal: null });
  });

  it('mailvet worker exits with 0', async () => {
    const result = await closeStdoutThenTerminate(spawnCli(['worker', '--loops', '1']));
    assert.deepEqual({ code: result.code, signal: result.signal }, { code: 0, signal: null });
  });
});
