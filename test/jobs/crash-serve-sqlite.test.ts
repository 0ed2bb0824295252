import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ChildProcess } from 'node:child_process';
import { createDialectContext, selectedDialects } from '../store/dialects.js';
import { createKeyService } from '../../src/server/keys/key-service.js';
import type { Store } from '../../src/store/store.js';
import {
  checkJobIntegrity,
  crashEmails,
  finishedCount,
  freePort,
  randomMs,
  sleep,
  spawnMailvet,
  startSlowDns,
  stopChild,
  waitForJobEnd,
} from './crash-world.js';

const DOMAINS = 120;
const ADDRESSES = 360;
const KILLS = 3;

// `mailvet serve` with its in-process workers on SQLite, SIGKILLed mid-job
// and restarted several times: the job still ends with one result per item.
describe(
  'crash safety: mailvet serve on SQLite',
  { skip: !selectedDialects().includes('sqlite') && 'sqlite not selected' },
  () => {
    const ctx = createDialectContext('sqlite');
    let dns: Awaited<ReturnType<typeof startSlowDns>>;
    let store: Store;
    let key: string;
    let port: number;
    let serve: ChildProcess | undefined;

    before(async () => {
      dns = await startSlowDns(DOMAINS, 120);
      store = await ctx.open();
      key = (await createKeyService(store).create({ name: 'crash', scopes: ['jobs'] })).key;
      port = await freePort();
    });
    after(async () => {
      if (serve) await stopChild(serve, 'SIGKILL');
      await dns.close();
    });

    const start = async () => {
      serve = spawnMailvet(
        ['serve', '--host', '127.0.0.1', '--port', String(port), '--no-smtp', '--dns', dns.address],
        {
          ...ctx.env,
          MAILVET_JOBS_WORKERS: '2',
          MAILVET_JOBS_BATCH_SIZE: '4',
          MAILVET_JOBS_LEASE_SECONDS: '5',
          MAILVET_JOBS_POLL_MS: '100',
        },
      );
      for (;;) {
        const ok = await fetch(`http://127.0.0.1:${port}/v1/jobs`, {
          headers: { authorization: `Bearer ${key}` },
        })
          .then((r) => r.status === 200)
          .catch(() => false);
        if (ok) return;
        if (serve.exitCode !== null)
          throw new Error(
            `serve exited: ${(serve as unknown as { stderrTail: string }).stderrTail}`,
          );
        await sleep(100);
      }
    };

    it(
      'completes with exactly one result per item across SIGKILLs of serve',
      { timeout: 240_000 },
      async () => {
        await start();
        const emails = crashEmails(ADDRESSES, DOMAINS);
        const res = await fetch(`http://127.0.0.1:${port}/v1/jobs`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' },
          body: 'email,n\n' + emails.map((e, i) => `${e},${i}`).join('\n') + '\n',
        });
        assert.equal(res.status, 201);
        const { job } = (await res.json()) as { job: { id: string } };
        const progressAtKill: number[] = [];
        for (let k = 0; k < KILLS; k++) {
          await sleep(randomMs(1000, 3000));
          progressAtKill.push(await finishedCount(store, job.id));
          await stopChild(serve!, 'SIGKILL');
          await start();
        }
        const end = await waitForJobEnd(store, job.id, Date.now() + 180_000);
        await stopChild(serve!, 'SIGTERM');
        serve = undefined;

        assert.equal(end, 'completed', `progress at kills: ${progressAtKill.join(',')}`);
        assert.ok(
          progressAtKill[0] < emails.length,
          `progress at kills: ${progressAtKill.join(',')}`,
        );
        const { items } = await checkJobIntegrity(store, job.id);
        assert.equal(items.length, emails.length);
        for (const item of items) {
          assert.equal(item.state, 'done', `item ${item.item_no}`);
          const result = JSON.parse(item.result!) as { email: string };
          assert.equal(result.email.toLowerCase(), item.email.trim().toLowerCase());
        }
      },
    );
  },
);
