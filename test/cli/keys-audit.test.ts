/**
 * `mailvet keys create|rotate|revoke` are admin actions: each writes an
 * audit row (the table `GET /v1/admin/audit` reads) and a structured log
 * line on stderr, like the HTTP routes for the same actions — and neither
 * ever holds the secret. Run as real processes against SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { hostname } from 'node:os';
import { after, before, it } from 'node:test';
import type { ChildProcess } from 'node:child_process';
import { forEachDialect } from '../store/dialects.js';
import type { Store } from '../../src/store/store.js';
import type { AuditEntry } from '../../src/store/audit-repo.js';
import { freePort, sleep, spawnMailvet, stopChild } from '../jobs/crash-world.js';

const ROOT = new URL('../../', import.meta.url).pathname;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `mailvet <args>` as a child process, as an operator runs it. */
function mailvet(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/bin.ts', ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** stderr's JSON log lines (anything else on stderr fails the test). */
function logLines(stderr: string): Record<string, unknown>[] {
  return stderr
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw new Error(`stderr holds a line that is not a JSON log line: ${l}`);
      }
    });
}

const count = (text: string, part: string) => text.split(part).length - 1;

/** The audit fields of a CLI row (`id` and `at` zeroed for comparison). */
function cliRow(action: string, command: string, object: string) {
  return {
    id: 0,
    at: 0,
    requestId: null,
    keyId: null,
    ip: null,
    method: 'CLI',
    route: command,
    status: null,
    latencyMs: null,
    action,
    object,
  };
}

forEachDialect('mailvet keys audit', (d) => {
  let store: Store;
  const secrets: string[] = [];
  let serve: ChildProcess | undefined;

  before(async () => {
    store = await d.open();
  });
  after(async () => {
    if (serve) await stopChild(serve, 'SIGKILL');
  });

  /** The rows of one CLI command, newest first. */
  const rowsOf = async (command: string) => (await store.audit.query({ route: command })).entries;

  /** One audit row and one log line for `action` on `id`; returns the row. */
  async function expectAudited(run: Run, action: string, command: string, id: string) {
    assert.equal(run.code, 0, run.stderr);
    const rows = (await rowsOf(command)).filter((r) => r.object === id);
    assert.equal(rows.length, 1, `one ${action} row for ${id}`);
    const row = rows[0];
    assert.deepEqual(
      { ...row, id: 0, at: 0 },
      {
        ...cliRow(action, command, id),
        detail: { user: row.detail?.user ?? null, host: hostname() },
      },
    );
    assert.ok(Math.abs(row.at - Date.now()) < 60_000, 'stamped now');
    const lines = logLines(run.stderr).filter((l) => l.msg === 'admin action');
    assert.equal(lines.length, 1, run.stderr);
    const audit = lines[0].audit as Record<string, unknown>;
    assert.deepEqual(
      { ...audit, time: 0, user: 0 },
      {
        time: 0,
        keyId: null,
        method: 'CLI',
        route: command,
        action,
        object: id,
        user: 0,
        host: hostname(),
      },
    );
    assert.equal(Date.parse(audit.time as string), row.at, 'the row and the line tell one time');
    return row;
  }

  it('create, rotate and revoke each leave an audit row and a stderr log line', async () => {
    const created = await mailvet(
      ['keys', 'create', '--name', 'ci bot', '--scopes', 'verify,jobs', '--json'],
      d.env,
    );
    // stdout stays one JSON document: the log line went to stderr.
    const { id, key } = JSON.parse(created.stdout) as { id: string; key: string };
    secrets.push(key);
    await expectAudited(created, 'keys.create', 'mailvet keys create', id);

    const rotated = await mailvet(['keys', 'rotate', id, '--grace', '1h', '--json'], d.env);
    const next = (JSON.parse(rotated.stdout) as { key: string }).key;
    secrets.push(next);
    await expectAudited(rotated, 'keys.rotate', 'mailvet keys rotate', id);

    const revoked = await mailvet(['keys', 'revoke', id], d.env);
    assert.match(revoked.stdout, new RegExp(`^Revoked ${id} at `));
    await expectAudited(revoked, 'keys.revoke', 'mailvet keys revoke', id);

    // Human output prints the secret on stdout; the log line still goes to stderr only.
    const human = await mailvet(['keys', 'create', '--name', 'ops', '--scopes', 'admin'], d.env);
    const humanSecret = /^(mv_live_\S+)$/m.exec(human.stdout)![1];
    secrets.push(humanSecret);
    const humanId = /Created (key_\S+)/.exec(human.stdout)![1];
    await expectAudited(human, 'keys.create', 'mailvet keys create', humanId);

    // Never the secret, not even a long prefix: not in stderr, not in any row.
    const rows = JSON.stringify((await store.audit.query({ limit: 1000 })).entries);
    for (const run of [created, rotated, revoked, human]) {
      for (const secret of secrets) {
        assert.equal(count(run.stderr, secret.slice(0, 20)), 0, 'no secret on stderr');
      }
    }
    for (const secret of secrets)
      assert.equal(count(rows, secret.slice(0, 20)), 0, 'no secret in rows');
  });

  it('a command that changes nothing writes no row', async () => {
    const before = (await store.audit.query({ limit: 1000 })).entries.length;
    const rotate = await mailvet(['keys', 'rotate', 'key_doesNotExist00000'], d.env);
    const revoke = await mailvet(['keys', 'revoke', 'key_doesNotExist00000'], d.env);
    assert.notEqual(rotate.code, 0);
    assert.notEqual(revoke.code, 0);
    assert.equal((await store.audit.query({ limit: 1000 })).entries.length, before);
  });

  it('GET /v1/admin/audit finds the CLI rows by route and by time', async () => {
    const startedAt = new Date(Date.now() - 1000).toISOString();
    const admin = await mailvet(
      ['keys', 'create', '--name', 'auditor', '--scopes', 'admin', '--json'],
      d.env,
    );
    assert.equal(admin.code, 0, admin.stderr);
    const { id, key } = JSON.parse(admin.stdout) as { id: string; key: string };

    const port = await freePort();
    serve = spawnMailvet(['serve', '--host', '127.0.0.1', '--port', String(port), '--no-smtp'], {
      ...d.env,
      MAILVET_JOBS_WORKERS: '0',
    });
    const get = (query: string) =>
      fetch(`http://127.0.0.1:${port}/v1/admin/audit?${query}`, {
        headers: { authorization: `Bearer ${key}` },
      });
    for (;;) {
      const ok = await get('limit=1')
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) break;
      if (serve.exitCode !== null) {
        throw new Error(`serve exited: ${(serve as unknown as { stderrTail: string }).stderrTail}`);
      }
      await sleep(100);
    }

    const byRoute = await get(`route=${encodeURIComponent('mailvet keys create')}&limit=1000`);
    assert.equal(byRoute.status, 200, await byRoute.clone().text());
    const page = (await byRoute.json()) as { entries: (Omit<AuditEntry, 'at'> & { at: string })[] };
    const row = page.entries.find((e) => e.object === id);
    assert.ok(row, JSON.stringify(page));
    assert.deepEqual({ ...row, id: 0, at: 0 }, cliRow('keys.create', 'mailvet keys create', id));
    assert.ok(page.entries.every((e) => e.route === 'mailvet keys create'));

    const byTime = await get(`from=${encodeURIComponent(startedAt)}&limit=1000`);
    assert.equal(byTime.status, 200);
    const timed = (await byTime.json()) as { entries: { object: string | null; method: string }[] };
    assert.ok(timed.entries.some((e) => e.object === id && e.method === 'CLI'));
    // …and HTTP rows still filter as before.
    const http = await get('route=/v1/admin/audit&limit=1000');
    const httpRows = (await http.json()) as { entries: { method: string }[] };
    assert.ok(httpRows.entries.length > 0);
    assert.ok(httpRows.entries.every((e) => e.method === 'GET'));

    await stopChild(serve, 'SIGTERM');
    serve = undefined;
  });
});
