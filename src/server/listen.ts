import type { FastifyInstance } from 'fastify';

/** Longest a graceful shutdown waits for in-flight requests before cutting connections. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 30_000;

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
