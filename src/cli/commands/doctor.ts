import { Command, Option } from 'commander';
import { loadConfig } from '../../config.js';
import type { CliIo } from '../cli-io.js';
import { processIo, UsageError } from '../cli-io.js';
import { formatDoctorReport } from '../../doctor/format-doctor-report.js';
import { DEFAULT_DOCTOR_TIMEOUT_MS, runDoctor } from '../../doctor/run-doctor.js';

/** Longest `--timeout` the doctor accepts, ms. */
const MAX_DOCTOR_TIMEOUT_MS = 60_000;

// Flags that mean the same as the engine's, by config path. (--timeout is not
// among them: here it bounds each connection and query, not one verification.)
const CONFIG_FLAGS: Record<string, string> = {
  dns: 'dns.servers',
  helo: 'smtp.heloName',
  from: 'smtp.mailFrom',
  smtpPort: 'smtp.port',
  proxy: 'smtp.proxy',
  sourceAddress: 'smtp.sourceAddress',
};

function doctorConfig(cmd: Command, io: CliIo) {
  const opts = cmd.opts();
  const flags: Record<string, unknown> = {};
  for (const [key, path] of Object.entries(CONFIG_FLAGS)) {
    if (cmd.getOptionValueSource(key) === 'cli') flags[path] = opts[key];
  }
  return loadConfig({ flags, env: io.env, file: (opts.config as string | undefined) ?? null });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * `mailvet doctor` — can this host verify mailboxes over SMTP? Checks
 * outbound port 25, the HELO name's DNS and reverse DNS, and the MAIL FROM
 * address, and says what to fix. Exit code 0 when no check failed, 1 otherwise.
 * Options follow the engine's (flags > MAILVET_* env > config file).
 */
export function doctorCommand(io: CliIo = processIo()): Command {
  const cmd = new Command('doctor')
    .description('check that this host can verify over SMTP: port 25, HELO/PTR, MAIL FROM')
    .option('--config <file>', 'JSON config file (env MAILVET_CONFIG)')
    .option('--dns <host:port,...>', 'DNS servers (env MAILVET_DNS)')
    .option('--helo <name>', 'EHLO/HELO name to check (env MAILVET_HELO)')
    .option('--from <address>', 'MAIL FROM address to check (env MAILVET_FROM)')
    .option('--smtp-port <port>', 'port of the well-known mail hosts (env MAILVET_SMTP_PORT)')
    .option('--proxy <socks5-url>', 'check through this SOCKS5 proxy (env MAILVET_PROXY)')
    .option('--source-address <ip>', 'local IP to connect from (env MAILVET_SOURCE_ADDRESS)')
    .option(
      '--target <host[:port]>',
      'check this host instead of well-known mail hosts (repeatable)',
      collect,
      [],
    )
    .option('--public-ip <ip>', "this host's public IP, when it is behind NAT or a proxy")
    .addOption(
      new Option('--timeout <ms>', 'per connection and DNS query').default(
        String(DEFAULT_DOCTOR_TIMEOUT_MS),
      ),
    )
    .option('--json', 'print the report as JSON');

  cmd.action(async () => {
    const opts = cmd.opts<{
      target: string[];
      publicIp?: string;
      timeout: string;
      json?: boolean;
    }>();
    const timeoutMs = Number(opts.timeout);
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_DOCTOR_TIMEOUT_MS) {
      throw new UsageError(
        `--timeout must be 1..${MAX_DOCTOR_TIMEOUT_MS} ms, got "${opts.timeout}"`,
      );
    }
    const config = doctorConfig(cmd, io);
    const report = await runDoctor({
      dnsServers: config.dns.servers,
      heloName: config.smtp.heloName,
      mailFrom: config.smtp.mailFrom,
      smtpPort: config.smtp.port,
      targets: opts.target,
      timeoutMs,
      proxy: config.smtp.proxy,
      sourceAddress: config.smtp.sourceAddress,
      publicIp: opts.publicIp ?? null,
    });
    io.stdout.write(
      opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatDoctorReport(report),
    );
    io.exitCode = report.ok ? 0 : 1;
  });
  return cmd;
}
