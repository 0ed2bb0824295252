import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ChildProcess } from 'node:child_process';
import { createDialectContext, selectedDialects } from '../store/dialects.js';
import { JobService } from '../../src/jobs/job-service.js';
import type { Store } from '../../src/store/store.js';
import { testJobsConfig } from './fixtures.js';
import {
  checkJobIntegrity,
  crashEmails,
  finishedCount,
  randomMs,
  sleep,
  spawnMailvet,
  startSlowDns,
  stopChild,
  waitForJobEnd,
} from './crash-world.js';

const run = promisify(execFile);
const DOMAINS = 120;
const ADDRESSES = 360;

/**
 * Restart the machine's PostgreSQL (cluster 15/main). Disruptive for anything
 * else using it, which is why only this test does it (test files run one at a
 * time). `MAILVET_TEST_PG_CLUSTER` names another `version/cluster`.
 */
async function restartPostgres(): Promise<void> {
  const [version, cluster] = (process.env.MAILVET_TEST_PG_CLUSTER ?? '15/main').split('/');
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, cluster, 'restart']);
}

describe(
  'crash safety: PostgreSQL restarted mid-job',
  { skip: !selectedDialects().includes('postgres') && 'postgres not selected' },
  () => {
    const ctx = createDialectContext('postgres');
    let dns: Awaited<ReturnType<typeof startSlowDns>>;
    let store: Store;
    let worker: ChildProcess | undefined;

    before(async () => {
      dns = await startSlowDns(DOMAINS, 120);
      store = await ctx.open();
    });
    after(async () => {
      if (worker) await stopChild(worker, 'SIGKILL');
      await dns.close();
    });

    it('the job still completes, one result per item', { timeout: 240_000 }, async () => {
      const service = new JobService({ db: store.db, jobs: testJobsConfig() });
      const emails = crashEmails(ADDRESSES, DOMAINS);
      const { job } = await service.create({
        owner: 'pg',
        options: { smtp: false },
        input: { kind: 'emails', emails },
      });
      worker = spawnMailvet(
        [
          'worker',
          '--loops',
          '3',
          '--batch-size',
          '4',
          '--lease-seconds',
          '5',
          '--poll-ms',
          '100',
          '--no-smtp',
          '--dns',
          dns.address,
        ],
        ctx.env,
      );
      await sleep(randomMs(2000, 4000));
      const before = await finishedCount(store, job.id);
      await restartPostgres();
      const end = await waitForJobEnd(store, job.id, Date.now() + 180_000);
      const exitedEarly = worker.exitCode;
      const workerStderr = (worker as ChildProcess & { stderrTail?: string }).stderrTail ?? '';
      await stopChild(worker, 'SIGTERM');
      worker = undefined;

      assert.equal(
        exitedEarly,
        null,
        `the worker survived the restart; its stderr:\n${workerStderr}`,
      );
      assert.equal(end, 'completed', `finished before restart: ${before}`);
      assert.ok(before < emails.length, `finished before restart: ${before}`);
      const { items } = await checkJobIntegrity(store, job.id);
      assert.equal(items.length, emails.length);
      assert.ok(items.every((i) => i.state === 'done' && i.result !== null));
    });
  },
);
