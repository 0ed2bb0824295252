import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { PostfixConfigInput, PostfixDomains } from './postfix-config.js';
import {
  configDir,
  mainCf,
  masterCf,
  recipientAccessMap,
  virtualMailboxMap,
} from './postfix-config.js';

/**
 * A real Postfix for the test world (design.md §7), running as its own
 * instance from a private config directory: `postfix -c DIR start` works next
 * to any system Postfix and needs no systemd. Needs root and the Debian
 * postfix package (scripts/test-world-setup.sh installs it).
 */

const run = promisify(execFile);

/** The test world's address for Postfix (see helper-rules loopback allocation). */
export const POSTFIX_HOST = '127.0.0.25';
export const POSTFIX_PORT = 25;
export const POSTFIX_DOMAINS: PostfixDomains = Object.freeze({
  accept: 'postfix-accept.test',
  catchAll: 'postfix-catchall.test',
  greylist: 'postfix-grey.test',
});
/** Mailboxes that exist in the accept domain unless overridden. */
export const DEFAULT_KNOWN_USERS: readonly string[] = Object.freeze(['alice', 'bob', 'postmaster']);
/** How long start waits for the listener, and stop for the master to exit. */
const READY_TIMEOUT_MS = 15_000;
const POLL_MS = 50;

export interface StartPostfixOptions {
  /** Local parts that exist in the accept domain. Default DEFAULT_KNOWN_USERS. */
  knownUsers?: readonly string[];
  /** Default `postfix.mailvet.test`; shown in the banner and EHLO reply. */
  myhostname?: string;
}

export interface PostfixInstance {
  host: typeof POSTFIX_HOST;
  port: typeof POSTFIX_PORT;
  domains: PostfixDomains;
  knownUsers: readonly string[];
  /** The instance root: etc/ (main.cf, master.cf, maps), queue/, data/, maillog. */
  dir: string;
  /** Postfix's own log of this instance, for failing tests to print. */
  log(): Promise<string>;
  /** Stops the instance (waits for its master to exit) and removes its directory. */
  stop(): Promise<void>;
}

async function postfix(dir: string, ...args: string[]): Promise<void> {
  try {
    await run('postfix', ['-c', configDir(dir), ...args]);
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`postfix ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`, {
      cause: err,
    });
  }
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Postfix test world: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function masterPid(dir: string): Promise<number | null> {
  try {
    const pid = Number((await readFile(join(dir, 'queue/pid/master.pid'), 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Writes the instance directory: config and maps (postmap'd); Postfix creates the queue. */
async function writeInstance(input: PostfixConfigInput): Promise<void> {
  const { dir } = input;
  const etc = configDir(dir);
  // Postfix daemons run as the postfix user and must be able to enter the tree.
  await chmod(dir, 0o755);
  await mkdir(etc, { mode: 0o755 });
  await mkdir(join(dir, 'queue'), { mode: 0o755 });
  await writeFile(join(etc, 'main.cf'), mainCf(input));
  await writeFile(join(etc, 'master.cf'), masterCf(input));
  await writeFile(join(etc, 'virtual_mailbox'), virtualMailboxMap(input));
  await writeFile(join(etc, 'recipient_access'), recipientAccessMap(input));
  for (const map of ['virtual_mailbox', 'recipient_access']) {
    await run('postmap', ['-c', etc, `hash:${join(etc, map)}`]);
  }
}

/**
 * Starts a Postfix instance listening on 127.0.0.25:25 with three test
 * domains: `postfix-accept.test` (known users only, others 550 5.1.1),
 * `postfix-catchall.test` (accepts anything) and `postfix-grey.test` (450
 * 4.2.0 Greylisted). Always call `stop()`.
 */
export async function startPostfix(options: StartPostfixOptions = {}): Promise<PostfixInstance> {
  if (await canConnect(POSTFIX_HOST, POSTFIX_PORT)) {
    throw new Error(
      `${POSTFIX_HOST}:${POSTFIX_PORT} is already in use — a Postfix test instance left running? ` +
        `Find it with: ls -d ${tmpdir()}/mailvet-postfix-*; stop it with: postfix -c <dir> stop`,
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'mailvet-postfix-'));
  const knownUsers = options.knownUsers ?? DEFAULT_KNOWN_USERS;
  const input: PostfixConfigInput = {
    dir,
    host: POSTFIX_HOST,
    port: POSTFIX_PORT,
    myhostname: options.myhostname ?? 'postfix.mailvet.test',
    domains: POSTFIX_DOMAINS,
    knownUsers,
  };
  const log = () => readFile(join(dir, 'maillog'), 'utf8').catch(() => '');

  const stop = async () => {
    const pid = await masterPid(dir);
    if (pid !== null && isRunning(pid)) {
      await postfix(dir, 'stop').catch(() => process.kill(pid, 'SIGTERM'));
      await waitFor('the Postfix master to exit', () => !isRunning(pid));
    }
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await writeInstance(input);
    await postfix(dir, 'start');
    await waitFor(`Postfix to listen on ${POSTFIX_HOST}:${POSTFIX_PORT}`, () =>
      canConnect(POSTFIX_HOST, POSTFIX_PORT),
    );
  } catch (err) {
    const text = await log();
    await stop().catch(() => undefined);
    throw text
      ? new Error(`${(err as Error).message}\n--- maillog ---\n${text}`, { cause: err })
      : err;
  }

  return {
    host: POSTFIX_HOST,
    port: POSTFIX_PORT,
    domains: POSTFIX_DOMAINS,
    knownUsers,
    dir,
    log,
    stop,
  };
}
