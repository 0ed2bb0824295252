import { Command } from 'commander';
import { addEngineOptions, engineConfig } from '../args/engine-options.js';
import type { CliIo } from '../cli-io.js';
import { createDefaultVerifier } from '../../verify/default-verifier.js';
import { formatResultTable } from '../output/result-table.js';
import { terminalSafeJson } from '../output/terminal-text.js';
import { readLines } from '../read-lines.js';
import type { VerificationResult } from '../../verify/result.js';

/**
 * `mailvet check [options] <email...>` — verify addresses given as arguments,
 * or one per line on stdin. Table by default; `--json` prints NDJSON in the
 * result contract, one line per address as it finishes, in input order.
 */
export function checkCommand(io: CliIo): Command {
  const cmd = new Command('check')
    .description('verify email addresses (arguments, or one per line on stdin)')
    .argument('[emails...]', 'addresses to verify')
    .option('--json', 'print one JSON result per line (NDJSON)');
  addEngineOptions(cmd);
  cmd.action(async (emails: string[]) => {
    const config = engineConfig(cmd, io);
    const verifier = createDefaultVerifier(config);
    const json = Boolean(cmd.opts().json);
    const source = emails.length > 0 ? emails : readLines(io.stdin);
    const results: VerificationResult[] = [];
    const pending = new Map<number, VerificationResult>();
    let nextToPrint = 0;
    try {
      for await (const { index, result } of verifier.verifyMany(source)) {
        pending.set(index, result);
        // Print in input order as soon as the head of the line is ready.
        while (pending.has(nextToPrint)) {
          const r = pending.get(nextToPrint)!;
          pending.delete(nextToPrint++);
          if (json) io.stdout.write(terminalSafeJson(r) + '\n');
          else results.push(r);
        }
      }
    } finally {
      await verifier.close();
    }
    if (!json) io.stdout.write(formatResultTable(results));
  });
  return cmd;
}
