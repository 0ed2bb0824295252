/**
 * `mailvet serve` (the real runService path, in a child process) with Redis
 * configured but unreachable, or going away and coming back: requests are
 * answered promptly from the fallbacks (in-memory rate limiter, result-cache
 * miss), readiness says Redis is down, shutdown still ends, and a restarted
 * Redis is used again without restarting the service.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createDialectContext } from '../store/dialects.js';
import { startDnsServer, type TestDnsServer } from '../world/dns-server.js';
import { createKeyService } from '../../src/server/keys/key-service.js';
import { testRedisPrefix } from './fixtures/instance-pair.js';
import { freePort, sleep, stopChild } from '../jobs/crash-world.js';

/** What "promptly" means: far below the seconds a queued Redis command used to wait. */
const PROMPT_MS = 3_000;
/** ioredis retries at most 2 s apart: a restarted Redis is back in use well within this. */
const RECONNECT_WITHIN_MS = 15_000;

/** Resolves once something accepts TCP connections on the port. */
async function waitForPort(port: number, withinMs = 10_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port}`);
    await sleep(50);
  }
}

/** A redis-server of the test's own (no persistence: a restart starts empty). */
async function startRedisServer(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  await waitForPort(port);
  return child;
}

interface Served {
  url: string;
  child: ChildProcess;
}

/** test/server/fixtures/serve-child.ts with REDIS_URL and a result cache. */
async function serve(env: Record<string, string>, prefix: string): Promise<Served> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/server/fixtures/serve-child.ts', prefix],
    {
      env: {
        ...process.env,
        ...env,
        MAILVET_PORT: '0',
        MAILVET_SMTP: 'false',
        MAILVET_RESULT_CACHE_TTL: '60',
        MAILVET_LOG_LEVEL: 'silent',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return { url: (JSON.parse(line) as { url: string }).url, child };
}

interface Timed {
  status: number;
  ms: number;
  headers: Headers;
  body: string;
}

async function timed(url: string, init?: RequestInit): Promise<Timed> {
  const started = Date.now();
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(60_000) });
  const body = await res.text();
  return { status: res.status, ms: Date.now() - started, headers: res.headers, body };
}

describe('serve with Redis unreachable or restarting', () => {
  const ctx = createDialectContext('sqlite');
  const children: ChildProcess[] = [];
  let dns: TestDnsServer;
  let secret: string;

  before(async () => {
    dns = await startDnsServer({ zones: { 'nowhere.test': { rcode: 'NXDOMAIN' } } });
    const store = await ctx.open();
    secret = (
      await createKeyService(store).create({ name: 'r', scopes: ['verify'], rate: '50/min' })
    ).key;
  });
  after(async () => {
    for (const c of children) await stopChild(c, 'SIGKILL');
    await dns.close();
  });

  const env = (redisUrl: string) => ({ ...ctx.env, REDIS_URL: redisUrl, MAILVET_DNS: dns.address });
  const verify = (url: string, email = 'a@nowhere.test') =>
    timed(`${url}/v1/verify`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email }),
    });

  /** A verify answered promptly, with the rate-limit headers; returns the remaining allowance. */
  async function assertServedPromptly(url: string, email?: string): Promise<number> {
    const res = await verify(url, email);
    assert.equal(res.status, 200, res.body);
    assert.ok(res.ms < PROMPT_MS, `verify took ${res.ms} ms`);
    assert.equal(res.headers.get('ratelimit-policy'), '"key";q=50;w=60');
    const m = /^"key";r=(\d+);t=\d+$/.exec(res.headers.get('ratelimit') ?? '');
    assert.ok(m, `RateLimit header: ${res.headers.get('ratelimit')}`);
    return Number(m[1]);
  }

  async function assertRedisDown(url: string): Promise<void> {
    const ready = await timed(`${url}/health/ready`);
    assert.equal(ready.status, 503);
    assert.ok(ready.ms < PROMPT_MS, `readiness took ${ready.ms} ms`);
    const redisCheck = (
      JSON.parse(ready.body) as { checks: { name: string; ok: boolean }[] }
    ).checks.find((c) => c.name === 'redis');
    assert.deepEqual(redisCheck && { name: redisCheck.name, ok: redisCheck.ok }, {
      name: 'redis',
      ok: false,
    });
  }

  it('Redis on a closed port: verify answers at once from the local limiter; SIGTERM still exits', async () => {
    const served = await serve(env(`redis://127.0.0.1:${await freePort()}`), testRedisPrefix());
    children.push(served.child);
    // Long enough for the client's reconnect backoff to grow past its first attempts.
    await sleep(1_500);
    const first = await assertServedPromptly(served.url);
    const second = await assertServedPromptly(served.url);
    assert.equal(second, first - 1, 'the fallback limiter counts');
    await assertRedisDown(served.url);

    const exited = once(served.child, 'exit');
    served.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      exited,
      new Promise((resolve) => (timer = setTimeout(() => resolve('hung'), 10_000))),
    ]);
    clearTimeout(timer);
    assert.deepEqual(outcome, [0, null], 'exits with 0 although Redis never answered');
  });

  const haveRedisServer = spawnSync('redis-server', ['--version']).status === 0;

  it(
    'Redis stopped mid-run, then restarted: prompt answers meanwhile, shared again after',
    { skip: haveRedisServer ? false : 'no redis-server binary' },
    async () => {
      const port = await freePort();
      let redisServer = await startRedisServer(port);
      children.push(redisServer);
      const prefix = testRedisPrefix();
      const served = await serve(env(`redis://127.0.0.1:${port}`), prefix);
      children.push(served.child);
      const probe = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true });
      probe.on('error', () => undefined);
      try {
        await assertServedPromptly(served.url, 'before@nowhere.test');
        assert.ok(
          (await probe.keys(`${prefix}:*`)).length >= 2,
          'limit and cached result in Redis',
        );

        await stopChild(redisServer, 'SIGTERM');
        await assertServedPromptly(served.url, 'during@nowhere.test');
        await assertServedPromptly(served.url, 'during@nowhere.test');
        await assertRedisDown(served.url);

        redisServer = await startRedisServer(port);
        children.push(redisServer);
        const deadline = Date.now() + RECONNECT_WITHIN_MS;
        while ((await timed(`${served.url}/health/ready`)).status !== 200) {
          assert.ok(Date.now() < deadline, 'the service did not reconnect to the restarted Redis');
          await sleep(200);
        }
        assert.deepEqual(await probe.keys(`${prefix}:*`), [], 'the restarted Redis starts empty');
        await assertServedPromptly(served.url, 'after@nowhere.test');
        const keys = await probe.keys(`${prefix}:*`);
        assert.ok(
          keys.some((k) => k.includes(':result:')) && keys.some((k) => !k.includes(':result:')),
          `rate limit and result cache written to the restarted Redis: ${keys.join(', ')}`,
        );
      } finally {
        probe.disconnect();
        await stopChild(served.child, 'SIGTERM');
        await stopChild(redisServer, 'SIGTERM');
      }
    },
  );
});
