import assert from 'node:assert/strict';
import { it } from 'node:test';
import { PassThrough } from 'node:stream';
import { forEachDialect } from '../store/dialects.js';
import { JobService } from '../../src/jobs/job-service.js';
import { JobImportAbandonedError } from '../../src/jobs/job-errors.js';
import { startWorkers } from '../../src/jobs/start-workers.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Store } from '../../src/store/store.js';
import type { Verifier } from '../../src/verify/verifier-types.js';
import { jobRow, testJobsConfig } from './fixtures.js';

const STALE_SECONDS = 60;

/** Resolves once the job exists in `state` (polled; no timing asserted). */
async function waitForState(store: Store, id: string, state: string): Promise<void> {
  for (;;) {
    const row = await store.db
      .selectFrom('jobs')
      .select('state')
      .where('id', '=', id)
      .executeTakeFirst();
    if (row?.state === state) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The id of the owner's only importing job, once its row exists. */
async function importingJob(store: Store, owner: string): Promise<string> {
  for (;;) {
    const row = await store.db
      .selectFrom('jobs')
      .select('id')
      .where('owner', '=', owner)
      .where('state', '=', 'importing')
      .executeTakeFirst();
    if (row) return row.id;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const itemCount = async (store: Store, id: string) =>
  (await store.db.selectFrom('job_items').select('item_no').where('job_id', '=', id).execute())
    .length;

forEachDialect('stale imports', (d) => {
  let clock = 1_000_000_000;
  const now = () => clock;
  const jobs = testJobsConfig({ importStaleSeconds: STALE_SECONDS });

  it('fails an import without progress, frees its key, and refuses the late importer', async () => {
    const store = await d.fresh();
    const service = new JobService({ db: store.db, adapter: store.adapter, jobs, now });
    const body = new PassThrough();
    body.write('email\n' + Array.from({ length: 60 }, (_, i) => `u${i}@a.test`).join('\n') + '\n');
    const creating = service.create({
      owner: 'o',
      idempotencyKey: 'upload-1',
      options: {},
      input: { kind: 'csv', body },
    });
    creating.catch(() => {}); // awaited below
    const id = await importingJob(store, 'o');

    clock += (STALE_SECONDS - 1) * 1000;
    assert.deepEqual(await service.failStaleImports(), [], 'not stale yet');
    clock += 2000;
    assert.deepEqual(await service.failStaleImports(), [id]);
    assert.deepEqual(await service.failStaleImports(), [], 'failed once');

    const view = await service.get('o', id);
    assert.equal(view.state, 'failed');
    assert.match(view.error ?? '', /no progress for 60 s/);
    assert.equal(await itemCount(store, id), 0);

    // The stalled upload resumes: its next heartbeat finds the job failed.
    body.end('late@a.test\n');
    await assert.rejects(creating, JobImportAbandonedError);
    assert.equal((await service.get('o', id)).state, 'failed');
    assert.equal(await itemCount(store, id), 0);

    // The key was released: the same upload can be sent again.
    const again = await service.create({
      owner: 'o',
      idempotencyKey: 'upload-1',
      options: {},
      input: { kind: 'emails', emails: ['u1@a.test'] },
    });
    assert.equal(again.created, true);
    assert.notEqual(again.job.id, id);
  });

  it('workers fail a crashed import when they start, and leave live ones alone', async () => {
    const store = await d.fresh();
    const insertJob = (id: string, heartbeat: number) =>
      store.db
        .insertInto('jobs')
        .values(jobRow({ id, created_at: heartbeat, import_heartbeat_at: heartbeat }))
        .execute();
    // A process died mid-import long ago (rows written); another is importing now.
    await insertJob('job_dead', clock - (STALE_SECONDS + 5) * 1000);
    await insertJob('job_live', clock - 1000);
    await store.adapter.bulkInsert(
      store.db,
      'job_items',
      [
        { name: 'job_id', type: 'text' },
        { name: 'item_no', type: 'bigint' },
        { name: 'cells', type: 'text' },
        { name: 'email', type: 'text' },
        { name: 'dedupe_key', type: 'text' },
        { name: 'domain', type: 'text' },
        { name: 'import_batch', type: 'integer' },
        { name: 'state', type: 'text' },
        { name: 'not_before', type: 'bigint' },
        { name: 'attempts', type: 'integer' },
      ],
      [1, 2, 3].map((n) => [
        'job_dead',
        n,
        '[]',
        'x@a.test',
        'x@a.test',
        'a.test',
        0,
        'pending',
        0,
        0,
      ]),
    );
    const workers = startWorkers({
      store,
      verifier: {} as Verifier, // no loops run: only the import reaper
      jobs,
      smtpDefault: false,
      log: createLogger({ level: 'silent' }),
      loops: 0,
      now,
    });
    try {
      await waitForState(store, 'job_dead', 'failed');
    } finally {
      await workers.stop(0);
    }
    assert.equal(await itemCount(store, 'job_dead'), 0);
    const live = await store.db
      .selectFrom('jobs')
      .select('state')
      .where('id', '=', 'job_live')
      .executeTakeFirstOrThrow();
    assert.equal(live.state, 'importing');
  });

  it('a job cancelled during its import stays cancelled, its late rows skipped', async () => {
    const store = await d.fresh();
    const service = new JobService({ db: store.db, adapter: store.adapter, jobs, now });
    const body = new PassThrough();
    body.write('email\na@a.test\nb@a.test\n');
    const creating = service.create({ owner: 'c', options: {}, input: { kind: 'csv', body } });
    creating.catch(() => {});
    const id = await importingJob(store, 'c');
    assert.equal((await service.cancel('c', id)).state, 'cancelled');
    body.end('c@a.test\n');
    const { job } = await creating;
    assert.equal(job.state, 'cancelled');
    assert.equal(job.counts.total, 3);
    assert.equal(job.counts.skipped, 3);
    assert.deepEqual(await service.failStaleImports(), []);
  });
});
