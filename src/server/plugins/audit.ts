import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { AuditRepo, NewAuditEntry } from '../../store/audit-repo.js';
import { BufferedWriter } from '../buffered-writer.js';
import { clientIp } from '../request-context.js';

/** How often entries older than the retention period are deleted. */
export const AUDIT_PRUNE_INTERVAL_MS = 3_600_000;

export interface AuditPluginOptions {
  repo: AuditRepo;
  /** Entries older than this many days are pruned; 0 keeps everything. */
  retentionDays: number;
  /** Pruning period; default AUDIT_PRUNE_INTERVAL_MS. */
  pruneIntervalMs?: number;
  now?: () => number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Write buffered audit rows now (before reading the audit table). */
    flushAudit(): Promise<void>;
  }
}

/**
 * One audit record per request, on every route (fastify-plugin lifts the
 * onResponse hook to the root): a row in the store and a structured log line.
 * Only the key id, the route pattern and an already-masked object are
 * recorded — never the secret, the URL or a raw address.
 */
export const auditPlugin = fp(
  async (app: FastifyInstance, options: AuditPluginOptions) => {
    const now = options.now ?? Date.now;
    const writer = new BufferedWriter<NewAuditEntry>({
      write: (items) => options.repo.insertMany(items),
      onError: (err) => app.log.error({ err }, 'audit rows could not be written'),
    });
    app.decorate('flushAudit', () => writer.flush());

    // Callback-style (not async) hooks here and in the other per-request
    // plugins: nothing is awaited, so a promise per hook would be pure cost.
    app.addHook('onResponse', (request, reply, done) => {
      // routeOptions is a getter that builds a new object: read it once.
      const route = request.routeOptions;
      const entry: NewAuditEntry = {
        at: now(),
        requestId: request.id,
        keyId: request.apiKey?.id ?? null,
        ip: clientIp(request),
        method: request.method,
        route: route.url ?? null,
        status: reply.statusCode,
        // Whole milliseconds: the column is an integer on both dialects.
        latencyMs: Math.round(reply.elapsedTime),
        action: route.config.action ?? null,
        object: request.auditObject,
      };
      writer.push(entry);
      request.log.info(
        {
          audit: {
            time: new Date(entry.at).toISOString(),
            requestId: entry.requestId,
            keyId: entry.keyId,
            ip: entry.ip,
            method: entry.method,
            route: entry.route,
            status: entry.status,
            latencyMs: entry.latencyMs,
            action: entry.action,
            object: entry.object,
          },
        },
        'request',
      );
      done();
    });

    let timer: NodeJS.Timeout | undefined;
    if (options.retentionDays > 0) {
      const prune = () => {
        options.repo.prune(options.retentionDays, now()).catch((err: unknown) => {
          app.log.error({ err }, 'audit pruning failed');
        });
      };
      app.addHook('onReady', async () => prune());
      timer = setInterval(prune, options.pruneIntervalMs ?? AUDIT_PRUNE_INTERVAL_MS);
      timer.unref();
    }
    app.addHook('onClose', async () => {
      clearInterval(timer);
      await writer.flush();
    });
  },
  { name: 'mailvet-audit', fastify: '5.x' },
);
