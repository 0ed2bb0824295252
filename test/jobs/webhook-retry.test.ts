import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import { forEachDialect } from '../store/dialects.js';
import { fakeResult, testJobsConfig } from './fixtures.js';
import { defaultConfig } from '../../src/config.js';
import { JobService } from '../../src/jobs/job-service.js';
import { createJobQueue } from '../../src/jobs/job-queue.js';
import { startWorkers } from '../../src/jobs/start-workers.js';
import {
  dispatchDueWebhooks,
  webhookBackoffMs,
  WEBHOOK_BACKOFF_BASE_MS,
  WEBHOOK_BACKOFF_MAX_MS,
} from '../../src/jobs/webhook-dispatcher.js';
import type { JobsConfig } from '../../src/jobs/jobs-config.js';
import type { Store } from '../../src/store/store.js';
import { createLogger } from '../../src/observability/logger.js';
import { createDefaultVerifier } from '../../src/verify/default-verifier.js';

/*
 * Completion webhooks against a real HTTP receiver on loopback that answers
 * a scripted list of statuses. The schedule is checked where it lives: the
 * dispatcher writes the next attempt's time to jobs.webhook_next_at, and
 * with an injected clock the tests step from one due time to the next (and
 * to just before it, where nothing may be sent). One run through real
 * workers on the real clock checks that the spacing happens in time too.
 */

/** A receiver answering `script[i]` to the i-th request (then `fallback`), recording arrivals. */
interface Receiver {
  url: string;
  arrivals: number[];
  script: number[];
  fallback: number;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const r: Omit<Receiver, 'url' | 'close'> = { arrivals: [], script: [], fallback: 500 };
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      r.arrivals.push(Date.now());
      res.statusCode = r.script[r.arrivals.length - 1] ?? r.fallback;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(r, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

forEachDialect('webhook retries', (d) => {
  let receiver: Receiver;
  let clock = 1_700_000_000_000;
  const now = () => clock;
  before(async () => {
    receiver = await startReceiver();
  });
  after(() => receiver.close());

  /** A completed job with a webhook due now; its only item was written by a worker. */
  async function completedJob(jobs: JobsConfig, store?: Store) {
    store ??= await d.fresh();
    receiver.arrivals.length = 0;
    const service = new JobService({ db: store.db, adapter: store.adapter, jobs, now });
    const queue = createJobQueue(store.db, store.adapter);
    const { job } = await service.create({
      owner: 'tenant',
      options: {},
      webhookUrl: receiver.url,
      input: { kind: 'emails', emails: ['w@x.test'] },
    });
    const batch = await queue.claim('w1', 10, 60_000, clock);
    assert.ok(batch);
    await queue.write('w1', job.id, [{ itemNo: 1, result: fakeResult('w@x.test') }], clock);
    assert.deepEqual(await queue.completeFinished(clock), [job.id]);
    const row = () =>
      store.db
        .selectFrom('jobs')
        .select(['webhook_state', 'webhook_attempts', 'webhook_next_at', 'webhook_last_error'])
        .where('id', '=', job.id)
        .executeTakeFirstOrThrow();
    const dispatch = () => dispatchDueWebhooks({ db: store.db, jobs, service, now });
    return { store, service, id: job.id, row, dispatch };
  }

  it('webhookBackoffMs doubles from the base and is capped', () => {
    assert.equal(WEBHOOK_BACKOFF_BASE_MS, 1000);
    assert.deepEqual([1, 2, 3, 4, 5].map(webhookBackoffMs), [1000, 2000, 4000, 8000, 16000]);
    assert.equal(webhookBackoffMs(0), 1000, 'never less than the base');
    assert.equal(webhookBackoffMs(12), 2_048_000);
    assert.equal(webhookBackoffMs(13), WEBHOOK_BACKOFF_MAX_MS, '4,096 s is capped at 1 h');
    assert.equal(webhookBackoffMs(30), WEBHOOK_BACKOFF_MAX_MS);
  });

  it('retries on the doubling schedule, then marks the webhook failed and stops', async () => {
    const maxAttempts = 5;
    const jobs = testJobsConfig({ webhookAllowPrivate: true, webhookMaxAttempts: maxAttempts });
    const { service, id, row, dispatch } = await completedJob(jobs);
    receiver.script = [];
    receiver.fallback = 500;
    assert.equal((await row()).webhook_state, 'pending');

    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      assert.equal(await dispatch(), 1, `attempt ${attempt} is due`);
      assert.equal(receiver.arrivals.length, attempt, 'one request per attempt');
      const r = await row();
      assert.equal(r.webhook_attempts, attempt);
      assert.equal(r.webhook_last_error, 'receiver answered HTTP 500');
      if (attempt === maxAttempts) break;
      assert.equal(r.webhook_state, 'pending');
      const wait = WEBHOOK_BACKOFF_BASE_MS * 2 ** (attempt - 1);
      assert.equal(Number(r.webhook_next_at), clock + wait, `waits ${wait} ms after ${attempt}`);
      clock += wait - 1;
      assert.equal(await dispatch(), 0, 'nothing is sent before the next attempt is due');
      assert.equal(receiver.arrivals.length, attempt);
      clock += 1;
    }

    const last = await row();
    assert.equal(last.webhook_state, 'failed');
    assert.equal(last.webhook_next_at, null);
    const view = await service.get('tenant', id);
    assert.deepEqual(view.webhook, {
      url: receiver.url,
      state: 'failed',
      attempts: maxAttempts,
      lastError: 'receiver answered HTTP 500',
    });
    clock += 10 * WEBHOOK_BACKOFF_MAX_MS;
    assert.equal(await dispatch(), 0, 'no attempt after the last one');
    assert.equal(receiver.arrivals.length, maxAttempts);
  });

  it('a success after failures stops the retries', async () => {
    const jobs = testJobsConfig({ webhookAllowPrivate: true, webhookMaxAttempts: 8 });
    const { service, id, row, dispatch } = await completedJob(jobs);
    receiver.script = [500, 503, 204];
    for (const wait of [0, 1000, 2000]) {
      clock += wait;
      assert.equal(await dispatch(), 1);
    }
    const r = await row();
    assert.equal(r.webhook_state, 'delivered');
    assert.equal(r.webhook_attempts, 3);
    assert.equal(r.webhook_next_at, null);
    assert.equal(r.webhook_last_error, null);
    assert.equal((await service.get('tenant', id)).webhook?.state, 'delivered');
    clock += 10 * WEBHOOK_BACKOFF_MAX_MS;
    assert.equal(await dispatch(), 0);
    assert.equal(receiver.arrivals.length, 3, 'nothing sent after the success');
  });

  it('webhookMaxAttempts = 1 gives up after the first failure', async () => {
    const jobs = testJobsConfig({ webhookAllowPrivate: true, webhookMaxAttempts: 1 });
    const { row, dispatch } = await completedJob(jobs);
    receiver.script = [];
    receiver.fallback = 500;
    assert.equal(await dispatch(), 1);
    assert.equal((await row()).webhook_state, 'failed');
    clock += WEBHOOK_BACKOFF_BASE_MS;
    assert.equal(await dispatch(), 0);
    assert.equal(receiver.arrivals.length, 1);
  });

  it('through real workers on the real clock: attempts spaced ≥ 1 s then ≥ 2 s, then failed', async () => {
    const jobs = testJobsConfig({
      webhookAllowPrivate: true,
      webhookMaxAttempts: 3,
      pollIntervalMs: 20,
    });
    const store = await d.fresh();
    const { service, id } = await completedJob(jobs, store);
    receiver.script = [];
    receiver.fallback = 500;
    clock = Date.now(); // the webhook is due from the job's completion, stamped with `clock`
    await store.db
      .updateTable('jobs')
      .set({ webhook_next_at: clock })
      .where('id', '=', id)
      .execute();
    const verifier = createDefaultVerifier(defaultConfig({ 'smtp.enabled': false }));
    const workers = startWorkers({
      store,
      verifier,
      jobs,
      smtpDefault: false,
      log: createLogger({ level: 'silent' }),
      loops: 2,
    });
    try {
      let view = await service.get('tenant', id);
      const deadline = Date.now() + 20_000;
      while (view.webhook?.state === 'pending' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        view = await service.get('tenant', id);
      }
      assert.equal(view.webhook?.state, 'failed');
      assert.equal(view.webhook?.attempts, 3);
      // A few more worker rounds: nothing else is sent.
      await new Promise((r) => setTimeout(r, 10 * jobs.pollIntervalMs));
    } finally {
      await workers.stop(1000);
      await verifier.close();
    }
    const [t1, t2, t3] = receiver.arrivals;
    assert.equal(receiver.arrivals.length, 3);
    // Each attempt waits for its due time (stored, then polled for), never less.
    assert.ok(t2 - t1 >= 1000 - 50, `first gap ${t2 - t1} ms`);
    assert.ok(t3 - t2 >= 2000 - 50, `second gap ${t3 - t2} ms`);
    assert.ok(t3 - t2 > t2 - t1, 'the gap grows');
  });
});
