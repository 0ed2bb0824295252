import type { FastifyBaseLogger, FastifyInstance } from 'fastify';

/** Longest a graceful shutdown waits for in-flight requests before cutting connections. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 30_000;

/** Longest the last log lines may take to be written at the end of a shutdown. */
export const LOG_FLUSH_TIMEOUT_MS = 1_000;

/**
 * Write the log lines still buffered, asynchronously, waiting at most
 * `timeoutMs`. Called last in a shutdown so that nothing is left for pino's
 * exit hook, which writes synchronously and retries a failed write forever:
 * with stdout a closed pipe (`mailvet serve | head -1`) the process never
 * exited after SIGTERM. A failed asynchronous write (EPIPE) instead ends
 * logging on that destination (pino turns its writes into no-ops), so the
 * exit hook has nothing to retry.
 */
export async function flushLog(
  log: FastifyBaseLogger,
  timeoutMs = LOG_FLUSH_TIMEOUT_MS,
): Promise<void> {
  // fastify types `app.log` without pino's flush; any logger without one has nothing buffered here.
  const flushable = log as { flush?: (cb: (err?: Error) => void) => void };
  if (typeof flushable.flush !== 'function') return;
  const flush = flushable.flush.bind(log);
  const deadline = Date.now() + timeoutMs;
  // Twice: a flush is reported done at the next 'drain', which may be the
  // end of a write already in flight when it was asked for, with later
  // lines still buffered; the second flush writes those.
  for (let i = 0; i < 2; i++) {
    const left = deadline - Date.now();
    if (left <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, left);
      timer.unref();
      // Only that the attempt ended matters, not its error (EPIPE, or fsync refused on a pipe).
      flush(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

export interface ListenOptions {
  host: string;
  port: number;
  /** Closed after the HTTP server has drained: verifier, store, Redis — in this order. */
  resources?: ReadonlyArray<{ name: string; close(): Promise<unknown> }>;
  /** Install SIGTERM/SIGINT handlers that shut down gracefully. Default true. */
  handleSignals?: boolean;
  shutdownTimeoutMs?: number;
}

export interface RunningServer {
  readonly app: FastifyInstance;
  /** `http://host:port` actually bound (port 0 resolved). */
  readonly url: string;
  readonly port: number;
  /**
   * Graceful shutdown, idempotent: stop accepting connections, let in-flight
   * requests finish (closing idle keep-alive sockets), flush audit and usage
   * buffers, then close the resources. Past the timeout, remaining
   * connections are cut so shutdown always ends.
   */
  close(): Promise<void>;
  /** Resolves when a shutdown (signal or close()) has finished. */
  readonly closed: Promise<void>;
}

/** Listen on host:port and wire graceful shutdown. */
export async function listen(app: FastifyInstance, options: ListenOptions): Promise<RunningServer> {
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const timeoutMs = options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;

  let shutdown: Promise<void> | undefined;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));

  const close = (): Promise<void> => {
    shutdown ??= (async () => {
      const timer = setTimeout(() => {
        app.log.warn('shutdown timeout: closing remaining connections');
        app.server.closeAllConnections();
      }, timeoutMs);
      timer.unref();
      try {
        await app.close();
      } finally {
        clearTimeout(timer);
      }
      for (const r of options.resources ?? []) {
        try {
          await r.close();
        } catch (err) {
          app.log.error({ err, resource: r.name }, 'closing a resource failed');
        }
      }
      await flushLog(app.log);
      removeSignals();
      resolveClosed();
    })();
    return shutdown;
  };

  const onSignal = (signal: NodeJS.Signals) => {
    app.log.info({ signal }, 'shutting down');
    void close();
  };
  const removeSignals = () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
  if (options.handleSignals !== false) {
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  app.log.info({ url: `http://${host}:${port}` }, 'mailvet listening');
  return { app, url: `http://${host}:${port}`, port, close, closed };
}
