/**
 * Graceful stop of a `mailvet worker` process whose SMTP servers answer in
 * 30 s: SIGTERM with `--grace-ms 1000` ends the process long before those
 * answers. Results written before the stop stay, results finished but not
 * yet written are written, the rest of the batch goes back to pending
 * (no lease, no result, the claim not counted), and a second worker
 * completes the job with exactly one result per item.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import type { ChildProcess } from 'node:child_process';
import { createDialectContext, selectedDialects } from '../store/dialects.js';
import { JobService } from '../../src/jobs/job-service.js';
import type { Store } from '../../src/store/store.js';
import { startDnsServer, type TestDnsServer } from '../world/dns-server.js';
import { startSmtpPeer, type SmtpPeer } from '../world/smtp-peer.js';
import { testJobsConfig } from './fixtures.js';
import { sleep, spawnMailvet, stopChild, waitForJobEnd } from './crash-world.js';

const QUICK_IP = '127.0.10.11';
const SLOW_IP = '127.0.10.12';
/** RCPT latency of the slow recipients: far beyond the grace period. */
const SLOW_MS = 30_000;
const GRACE_MS = 1_000;
/** The stopped worker must be gone by then (SLOW_MS would be far later). */
const EXIT_DEADLINE_MS = 10_000;

const QUICK = ['q0', 'q1', 'q2', 'q3'].map((l) => `${l}@quick.test`);
// One recipient per transaction: the fast ones go first and finish at once;
// the slow ones then hold their sessions (or wait in the pool's queue).
const FAST = ['f0', 'f1', 'f2'].map((l) => `${l}@slow.test`);
const SLOW = ['s0', 's1', 's2'].map((l) => `${l}@slow.test`);
const EMAILS = [...QUICK, ...FAST, ...SLOW];

let dns: TestDnsServer;
let quick: SmtpPeer;
let slow: SmtpPeer;

before(async () => {
  quick = await startSmtpPeer({ host: QUICK_IP, catchAll: true });
  slow = await startSmtpPeer({
    host: SLOW_IP,
    catchAll: true,
    rcptLatencyMs: Object.fromEntries(SLOW.map((e) => [e, SLOW_MS])),
  });
  dns = await startDnsServer({
    zones: {
      'quick.test': { mx: [{ exchange: 'mx.quick.test', preference: 10 }] },
      'mx.quick.test': { a: [QUICK_IP] },
      'slow.test': { mx: [{ exchange: 'mx.slow.test', preference: 10 }] },
      'mx.slow.test': { a: [SLOW_IP] },
    },
  });
});

after(async () => {
  await Promise.all([quick?.close(), slow?.close()]);
  await dns?.close();
});

/** Items by address, as the tests compare them. */
async function itemsByEmail(store: Store, jobId: string) {
  const rows = await store.db
    .selectFrom('job_items')
    .select(['item_no', 'email', 'state', 'result', 'lease_owner', 'lease_expires_at', 'attempts'])
    .where('job_id', '=', jobId)
    .orderBy('item_no')
    .execute();
  return new Map(rows.map((r) => [r.email, r]));
}

/** True once the slow peer has received a RCPT for every address of `emails`. */
function rcptsSeen(emails: string[]): boolean {
  const commands = slow.connections.flatMap((c) => c.commands).map((c) => c.toLowerCase());
  return emails.every((e) => commands.includes(`rcpt to:<${e}>`));
}

async function waitUntil(
  check: () => Promise<boolean> | boolean,
  what: string | (() => string),
  ms = 30_000,
) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) {
      throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    }
    await sleep(50);
  }
}

for (const dialect of selectedDialects()) {
  describe(`mailvet worker graceful stop [${dialect}]`, () => {
    const ctx = createDialectContext(dialect);
    let store: Store;
    const children = new Set<ChildProcess>();

    before(async () => {
      store = await ctx.open();
    });
    after(async () => {
      for (const c of children) await stopChild(c, 'SIGKILL');
    });

    const worker = () => {
      const child = spawnMailvet(
        [
          'worker',
          '--loops',
          '2',
          '--batch-size',
          '50',
          '--lease-seconds',
          '60',
          '--poll-ms',
          '100',
          '--dns',
          dns.address,
          '--allow-private-mx',
          '--grace-ms',
          String(GRACE_MS),
        ],
        {
          ...ctx.env,
          MAILVET_HELO: 'verifier.mailvet.test',
          MAILVET_FROM: 'probe@mailvet.test',
          // One recipient per transaction, so a slow answer holds back
          // only its own address.
          MAILVET_SMTP_MAX_RECIPIENTS: '1',
        },
      );
      children.add(child);
      child.on('exit', () => children.delete(child));
      return child;
    };

    it(
      'SIGTERM mid-batch: exits within the grace, releases the unfinished, a second worker completes',
      { timeout: 120_000 },
      async () => {
        slow.configure({ rcptLatencyMs: Object.fromEntries(SLOW.map((e) => [e, SLOW_MS])) });
        slow.resetStats();
        const service = new JobService({ db: store.db, jobs: testJobsConfig() });
        const { job } = await service.create({
          owner: 'stop',
          options: { smtp: true },
          input: { kind: 'emails', emails: EMAILS },
        });

        const first = worker();
        // Mid-batch: the quick domain's results are written, the fast
        // slow.test recipients were asked (and answered at once), a slow one
        // waits for its answer, and the slow.test batch is still leased.
        let seen = '';
        await waitUntil(
          async () => {
            const items = await itemsByEmail(store, job.id);
            seen = JSON.stringify([...items.values()].map((i) => [i.email, i.state]));
            seen += ` ${JSON.stringify(slow.connections.map((c) => c.commands))}`;
            return (
              QUICK.every((e) => items.get(e)?.state === 'done') &&
              SLOW.every((e) => items.get(e)?.state === 'leased') &&
              rcptsSeen(FAST) &&
              SLOW.some((e) => rcptsSeen([e]))
            );
          },
          () => `the worker to be mid-batch: ${seen}`,
        );
        await sleep(300); // the fast replies reach the worker
        const beforeStop = await itemsByEmail(store, job.id);

        const exited = once(first, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
        let deadline: NodeJS.Timeout | undefined;
        const tooLate = new Promise<never>((_, reject) => {
          deadline = setTimeout(
            () => reject(new Error(`worker still running ${EXIT_DEADLINE_MS} ms after SIGTERM`)),
            EXIT_DEADLINE_MS,
          );
        });
        first.kill('SIGTERM');
        let code: number | null;
        try {
          [code] = await Promise.race([exited, tooLate]);
        } finally {
          clearTimeout(deadline);
        }
        const stderr = (first as unknown as { stderrTail: string }).stderrTail;
        assert.equal(code, 0, stderr);
        assert.match(stderr, /worker stopped/);
        // Its sessions were cut, not left waiting for the slow answers.
        await waitUntil(() => slow.stats.activeConnections === 0, 'the cut sessions', 2_000);

        const afterStop = await itemsByEmail(store, job.id);
        for (const e of QUICK) {
          // Written before the stop, kept as it was.
          assert.equal(afterStop.get(e)!.state, 'done', e);
          assert.equal(afterStop.get(e)!.result, beforeStop.get(e)!.result, e);
        }
        for (const e of FAST) {
          // Finished before the stop (maybe not yet written): written, not released.
          const item = afterStop.get(e)!;
          assert.equal(item.state, 'done', `${e} was finished before the stop`);
          assert.equal((JSON.parse(item.result!) as { email: string }).email, e);
        }
        for (const e of SLOW) {
          const item = afterStop.get(e)!;
          assert.deepEqual(
            {
              state: item.state,
              result: item.result,
              owner: item.lease_owner,
              expires: item.lease_expires_at,
              attempts: item.attempts,
            },
            { state: 'pending', result: null, owner: null, expires: null, attempts: 0 },
            `${e} is released, the claim not counted`,
          );
        }

        // A second worker, the slow recipients now answering at once.
        slow.configure({ rcptLatencyMs: {} });
        const second = worker();
        const end = await waitForJobEnd(store, job.id, Date.now() + 60_000);
        await stopChild(second, 'SIGTERM');
        assert.equal(end, 'completed', (second as unknown as { stderrTail: string }).stderrTail);

        const final = await itemsByEmail(store, job.id);
        assert.equal(final.size, EMAILS.length, 'one row per item');
        for (const e of EMAILS) {
          const item = final.get(e)!;
          assert.equal(item.state, 'done', e);
          const result = JSON.parse(item.result!) as { email: string; status: string };
          assert.equal(result.email, e);
          assert.equal(result.status, 'risky', `${e}: catch-all peers make every address risky`);
        }
        for (const e of [...QUICK, ...FAST]) {
          // Written once: the second worker did not verify them again.
          assert.equal(final.get(e)!.result, afterStop.get(e)!.result, e);
        }
        const rcpts = slow.connections.flatMap((c) => c.commands).map((c) => c.toLowerCase());
        for (const e of FAST) {
          assert.equal(rcpts.filter((c) => c === `rcpt to:<${e}>`).length, 1, `${e} probed once`);
        }
      },
    );
  });
}
