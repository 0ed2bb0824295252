import { Command, CommanderError } from 'commander';
import { MailvetError, StoreUnavailableError } from '../errors.js';
import { PACKAGE_VERSION } from '../package-version.js';
import { processIo, UsageError, type CliIo } from './cli-io.js';
import { checkCommand } from './commands/check.js';
import { bulkCommand } from './commands/bulk.js';
import { keysCommand } from './commands/keys/root.js';
import { migrateCommand } from './commands/migrate.js';
import { doctorCommand } from './commands/doctor.js';
import { serveCommand } from './commands/serve.js';
import { workerCommand } from './commands/worker.js';
import { printableMessage } from './output/terminal-text.js';

/** The command tree. Each command lives in its own file under commands/. */
export function buildCli(io: CliIo): Command {
  const program = new Command('mailvet')
    .description(
      'Email verification: syntax, DNS/MX, SMTP probing, lists, bulk jobs and an HTTP service',
    )
    .version(PACKAGE_VERSION)
    .showHelpAfterError()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
  program.addCommand(checkCommand(io));
  program.addCommand(bulkCommand(io));
  program.addCommand(keysCommand(io));
  program.addCommand(migrateCommand(io));
  program.addCommand(doctorCommand(io));
  program.addCommand(serveCommand(io));
  program.addCommand(workerCommand(io));
  overrideExits(program, program.configureOutput());
  return program;
}

/** Commander must throw instead of calling process.exit, at every depth, so runCli decides the exit code. */
function overrideExits(cmd: Command, output: ReturnType<Command['configureOutput']>): void {
  cmd.exitOverride().configureOutput(output);
  for (const c of cmd.commands) overrideExits(c, output);
}

/**
 * Run the CLI and return the exit code: 0 success, 1 a command reported
 * failure (or the database did not answer), 2 bad usage or configuration.
 * Never lets an exception escape as a stack trace for expected problems.
 */
export async function runCli(argv: string[], io: CliIo = processIo()): Promise<number> {
  const program = buildCli(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return io.exitCode ?? 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.exitCode === 0
        ? 0
        : 2;
    }
    const expected = expectedFailureExitCode(err);
    if (expected !== undefined) {
      // Messages quote input (file names, CSV headers, addresses): escaped for the terminal.
      io.stderr.write(`mailvet: ${printableMessage((err as Error).message)}\n`);
      return expected;
    }
    io.stderr.write(`mailvet: ${printableMessage((err as Error)?.stack ?? String(err))}\n`);
    return 1;
  }
}

/** Exit code of a failure reported as its one-line message; undefined: a bug, shown with its stack. */
function expectedFailureExitCode(err: unknown): number | undefined {
  if (err instanceof UsageError) return 2;
  if (err instanceof StoreUnavailableError) return 1;
  if (err instanceof MailvetError && (err.statusCode < 500 || err.code === 'MV_ERR_CONFIG')) {
    return 2;
  }
  return undefined;
}
