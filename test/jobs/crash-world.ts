import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { startDnsServer, type Zones } from '../world/dns-server.js';
import type { Store } from '../../src/store/store.js';

/** Root of the repository, where `src/cli/bin.ts` lives. */
const ROOT = new URL('../../', import.meta.url).pathname;

/**
 * A DNS world whose every domain answers late, so a job of a few hundred
 * addresses over many domains runs long enough to be killed mid-way
 * (without SMTP). Each domain has its own MX record, so caches do not help.
 */
export async function startSlowDns(domains: number, delayMs: number) {
  const zones: Zones = {};
  for (let i = 0; i < domains; i++) {
    zones[`d${i}.crash.test`] = {
      delayMs,
      mx: [{ exchange: `mx.d${i}.crash.test`, preference: 10 }],
    };
    zones[`mx.d${i}.crash.test`] = { a: ['127.0.7.9'] };
  }
  return startDnsServer({ zones });
}

/** `n` addresses over `domains` domains, with a few exact duplicates. */
export function crashEmails(n: number, domains: number): string[] {
  const emails = Array.from({ length: n }, (_, i) => `user${i}@d${i % domains}.crash.test`);
  for (let i = 0; i < 10; i++) emails.push(emails[i * 7]);
  return emails;
}

/** A `mailvet <args>` child process running from source. */
export function spawnMailvet(args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', MAILVET_LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.setEncoding('utf8');
  let stderr = '';
  child.stderr!.on('data', (c: string) => (stderr = (stderr + c).slice(-4000)));
  Object.defineProperty(child, 'stderrTail', { get: () => stderr });
  return child;
}

/** Kill with `signal` and wait for the exit (no-op when already gone). */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
}

/** A TCP port on 127.0.0.1 that was free a moment ago (for a child to listen on). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Random whole number of ms in [min, max). */
export const randomMs = (min: number, max: number) => min + Math.floor(Math.random() * (max - min));

/**
 * The invariants after a crash-ridden run: every item done with one result
 * for its own address, none still open, the job completed.
 */
export async function checkJobIntegrity(store: Store, jobId: string) {
  const items = await store.db
    .selectFrom('job_items')
    .select(['item_no', 'email', 'state', 'result'])
    .where('job_id', '=', jobId)
    .orderBy('item_no')
    .execute();
  const job = await store.db
    .selectFrom('jobs')
    .select(['state', 'total_items'])
    .where('id', '=', jobId)
    .executeTakeFirstOrThrow();
  return { items, job };
}

/** Poll until the job leaves `running`, or `deadline` passes. */
export async function waitForJobEnd(store: Store, jobId: string, deadline: number) {
  for (;;) {
    const row = await store.db
      .selectFrom('jobs')
      .select('state')
      .where('id', '=', jobId)
      .executeTakeFirst()
      .catch(() => undefined);
    if (row && row.state !== 'running') return row.state;
    if (Date.now() > deadline) return row?.state ?? 'unknown';
    await sleep(200);
  }
}

/** How many items are finished; errors (database restarting) count as unknown. */
export async function finishedCount(store: Store, jobId: string): Promise<number> {
  const r = await store.db
    .selectFrom('job_items')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('job_id', '=', jobId)
    .where('state', 'in', ['done', 'error'])
    .executeTakeFirst()
    .catch(() => undefined);
  return Number(r?.n ?? -1);
}
