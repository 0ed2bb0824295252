import { Command, Option } from 'commander';
import { addEngineOptions, engineConfig } from '../args/engine-options.js';
import { processIo, type CliIo } from '../cli-io.js';
import { runService } from '../../server/run-service.js';

/**
 * `mailvet serve [--host H] [--port P]` — the HTTP API. Migrates the store on
 * start, then serves until SIGTERM/SIGINT, when it drains in-flight requests
 * and closes the engine, the store and Redis.
 */
export function serveCommand(io: CliIo = processIo()): Command {
  const cmd = new Command('serve')
    .description('run the HTTP API (see docs/api.md)')
    .addOption(
      new Option('--host <host>', 'address to listen on (env MAILVET_HOST, default 127.0.0.1)'),
    )
    .addOption(new Option('--port <port>', 'port to listen on (env MAILVET_PORT, default 8080)'));
  addEngineOptions(cmd);
  cmd.action(async () => {
    const opts = cmd.opts<{ host?: string; port?: string }>();
    const extra: Record<string, unknown> = {};
    if (opts.host !== undefined) extra['server.host'] = opts.host;
    if (opts.port !== undefined) extra['server.port'] = opts.port;
    const config = engineConfig(cmd, io, extra);
    const server = await runService(config);
    io.stderr.write(`mailvet: listening on ${server.url}\n`);
    await server.closed;
  });
  return cmd;
}
