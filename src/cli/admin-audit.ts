import { hostname, userInfo } from 'node:os';
import type { Store } from '../store/store.js';
import type { NewAuditEntry } from '../store/audit-repo.js';
import { createLogger } from '../observability/logger.js';
import type { CliIo } from './cli-io.js';

/** `method` of every audit row a CLI command writes; HTTP rows hold the HTTP method. */
export const CLI_AUDIT_METHOD = 'CLI';

/** Levels `MAILVET_LOG_LEVEL` may name (the config's enum); anything else means `info`. */
const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** One admin action done from the command line. */
export interface CliAdminAction {
  /** The action name the HTTP route for the same thing records: `keys.create`, … */
  action: string;
  /** The command without its arguments and options: `mailvet keys create`. */
  command: string;
  /** What was acted on (a key id). Never a secret. */
  object: string;
}

/**
 * Record an admin action done from the CLI the way the HTTP service records
 * one done over the API: an audit row (`store.audit`, the same table
 * `GET /v1/admin/audit` reads) and a structured JSON log line on **stderr**,
 * so stdout keeps only the command's own output (`--json` stays parseable).
 *
 * The row has no key, IP, status or latency (nothing came over HTTP):
 * `method` is `CLI`, `route` the command, and `detail` names the operating
 * system user and host that ran it. Neither holds a secret. A failed audit
 * write is reported on stderr but does not undo the action or hide its output
 * (a created key's secret must still be shown, or it is lost).
 */
export async function auditCliAction(
  store: Pick<Store, 'audit'>,
  io: Pick<CliIo, 'stderr' | 'env'>,
  a: CliAdminAction,
  now: () => number = Date.now,
): Promise<void> {
  const level = io.env.MAILVET_LOG_LEVEL ?? '';
  const log = createLogger({
    level: LOG_LEVELS.has(level) ? level : 'info',
    destination: io.stderr,
  });
  const actor = { user: osUser(), host: hostname() };
  const entry: NewAuditEntry = {
    at: now(),
    requestId: null,
    keyId: null,
    ip: null,
    method: CLI_AUDIT_METHOD,
    route: a.command,
    status: null,
    latencyMs: null,
    action: a.action,
    object: a.object,
    detail: actor,
  };
  try {
    await store.audit.insert(entry);
  } catch (err) {
    log.error({ err, action: a.action, object: a.object }, 'audit row could not be written');
  }
  log.info(
    {
      audit: {
        time: new Date(entry.at).toISOString(),
        keyId: null,
        method: entry.method,
        route: entry.route,
        action: entry.action,
        object: entry.object,
        ...actor,
      },
    },
    'admin action',
  );
}

/** The operating-system user running the command; null where it has no name (no passwd entry). */
function osUser(): string | null {
  try {
    return userInfo().username;
  } catch {
    return null;
  }
}
