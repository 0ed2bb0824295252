import { Command, CommanderError } from 'commander';
import { MailvetError } from '../errors.js';
import { processIo, UsageError, type CliIo } from './cli-io.js';
import { checkCommand } from './commands/check.js';

/** The command tree. Each command lives in its own file under commands/. */
export function buildCli(io: CliIo): Command {
  const program = new Command('mailvet')
    .description(
      'Email verification: syntax, DNS/MX, SMTP probing, lists, bulk jobs and an HTTP service',
    )
    .version(process.env.npm_package_version ?? '0.1.0')
    .showHelpAfterError()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
  program.addCommand(checkCommand(io));
  for (const c of program.commands) c.exitOverride().configureOutput(program.configureOutput());
  return program.exitOverride();
}

/**
 * Run the CLI and return the exit code: 0 success, 1 a command reported
 * failure, 2 bad usage or configuration. Never lets an exception escape as a
 * stack trace for expected problems.
 */
export async function runCli(argv: string[], io: CliIo = processIo()): Promise<number> {
  const program = buildCli(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.exitCode === 0
        ? 0
        : 2;
    }
    if (
      err instanceof UsageError ||
      (err instanceof MailvetError && err.statusCode < 500) ||
      isConfigError(err)
    ) {
      io.stderr.write(`mailvet: ${(err as Error).message}\n`);
      return 2;
    }
    io.stderr.write(`mailvet: ${(err as Error)?.stack ?? String(err)}\n`);
    return 1;
  }
}

function isConfigError(err: unknown): boolean {
  return err instanceof MailvetError && err.code === 'MV_ERR_CONFIG';
}
