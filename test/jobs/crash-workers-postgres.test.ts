import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
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

const DOMAINS = 150;
const ADDRESSES = 450;
const KILLS = 4;

// Two `mailvet worker` processes share a PostgreSQL job; one is SIGKILLed at
// random points and restarted, several times. Nothing may be lost or doubled.
describe(
  'crash safety: mailvet worker processes on PostgreSQL',
  { skip: !selectedDialects().includes('postgres') && 'postgres not selected' },
  () => {
    const ctx = createDialectContext('postgres');
    let dns: Awaited<ReturnType<typeof startSlowDns>>;
    let store: Store;
    const children = new Set<ChildProcess>();

    before(async () => {
      dns = await startSlowDns(DOMAINS, 120);
      store = await ctx.open();
    });
    after(async () => {
      for (const c of children) await stopChild(c, 'SIGKILL');
      await dns.close();
    });

    const worker = () => {
      const child = spawnMailvet(
        [
          'worker',
          '--loops',
          '2',
          '--batch-size',
          '4',
          '--lease-seconds',
          '5',
          '--poll-ms',
          '100',
          '--no-smtp',
          '--dns',
          dns.address,
          '--grace-ms',
          '2000',
        ],
        ctx.env,
      );
      children.add(child);
      child.on('exit', () => children.delete(child));
      return child;
    };

    it(
      'completes with exactly one result per item despite repeated SIGKILLs',
      { timeout: 240_000 },
      async () => {
        const service = new JobService({ db: store.db, jobs: testJobsConfig() });
        const emails = crashEmails(ADDRESSES, DOMAINS);
        const { job } = await service.create({
          owner: 'crash',
          options: { smtp: false },
          input: { kind: 'emails', emails },
        });
        const steady = worker();
        let victim = worker();
        const progressAtKill: number[] = [];
        for (let k = 0; k < KILLS; k++) {
          await sleep(randomMs(1500, 4000));
          progressAtKill.push(await finishedCount(store, job.id));
          await stopChild(victim, 'SIGKILL');
          await sleep(randomMs(0, 500));
          victim = worker();
        }
        const end = await waitForJobEnd(store, job.id, Date.now() + 180_000);
        await stopChild(victim, 'SIGTERM');
        await stopChild(steady, 'SIGTERM');

        assert.equal(end, 'completed', `progress at kills: ${progressAtKill.join(',')}`);
        // The kills happened while work remained (else the test proves nothing).
        assert.ok(
          progressAtKill[0] < emails.length,
          `progress at kills: ${progressAtKill.join(',')}`,
        );
        const { items, job: row } = await checkJobIntegrity(store, job.id);
        assert.equal(items.length, emails.length);
        assert.equal(row.total_items, emails.length);
        assert.deepEqual(
          items.map((i) => i.item_no),
          emails.map((_, i) => i + 1),
        );
        for (const item of items) {
          assert.equal(item.state, 'done', `item ${item.item_no}`);
          const result = JSON.parse(item.result!) as { email: string };
          assert.equal(
            result.email.toLowerCase(),
            item.email.trim().toLowerCase(),
            `item ${item.item_no}`,
          );
        }
      },
    );
  },
);
