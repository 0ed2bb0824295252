import { Option, type Command } from 'commander';
import { loadConfig, type MailvetConfig } from '../../config.js';
import { ConfigError } from '../../errors.js';
import { ehloCommand, mailCommand } from '../../verify/smtp/command.js';
import type { CliIo } from '../cli-io.js';

/**
 * The verification options shared by `check`, `bulk`, `serve` and `worker`.
 * Each maps to a config path; a flag counts only when given on the command
 * line, so env and config file values are not shadowed by commander defaults.
 */
const ENGINE_FLAGS: {
  flags: string;
  path: string;
  description: string;
  parse?: (v: string) => unknown;
}[] = [
  { flags: '--config <file>', path: '', description: 'JSON config file (env MAILVET_CONFIG)' },
  {
    flags: '--dns <host:port,...>',
    path: 'dns.servers',
    description: 'DNS servers (env MAILVET_DNS)',
  },
  {
    flags: '--timeout <ms>',
    path: 'timeoutMs',
    description: 'time budget per address in ms (env MAILVET_TIMEOUT)',
  },
  {
    flags: '--concurrency <n>',
    path: 'concurrency',
    description: 'addresses verified at once (env MAILVET_CONCURRENCY)',
  },
  {
    flags: '--smtp-port <port>',
    path: 'smtp.port',
    description: 'SMTP port of mail hosts (env MAILVET_SMTP_PORT)',
  },
  {
    flags: '--helo <name>',
    path: 'smtp.heloName',
    description: 'EHLO/HELO name (env MAILVET_HELO)',
  },
  {
    flags: '--from <address>',
    path: 'smtp.mailFrom',
    description: 'MAIL FROM address (env MAILVET_FROM)',
  },
  {
    flags: '--proxy <socks5-url>',
    path: 'smtp.proxy',
    description: 'SOCKS5 proxy for SMTP (env MAILVET_PROXY)',
  },
  {
    flags: '--source-address <ip>',
    path: 'smtp.sourceAddress',
    description: 'local IP for SMTP connections (env MAILVET_SOURCE_ADDRESS)',
  },
  {
    flags: '--allow-private-mx',
    path: 'smtp.allowPrivateMx',
    description:
      'allow mail hosts on private/loopback addresses — tests only (env MAILVET_ALLOW_PRIVATE_MX)',
  },
  {
    flags: '--no-smtp',
    path: 'smtp.enabled',
    description: 'skip SMTP probing (env MAILVET_SMTP=false)',
  },
];

export function addEngineOptions(cmd: Command): Command {
  for (const f of ENGINE_FLAGS) cmd.addOption(new Option(f.flags, f.description));
  return cmd;
}

/** Build the config from this command's flags, the environment and the config file. */
export function engineConfig(
  cmd: Command,
  io: CliIo,
  extra: Record<string, unknown> = {},
): MailvetConfig {
  const opts = cmd.opts();
  const flags: Record<string, unknown> = { ...extra };
  for (const f of ENGINE_FLAGS) {
    if (!f.path) continue;
    const key = optionKey(f.flags);
    if (cmd.getOptionValueSource(key) === 'cli') flags[f.path] = opts[key];
  }
  const config = loadConfig({
    flags,
    env: io.env,
    file: (opts.config as string | undefined) ?? null,
  });
  checkSmtpIdentity(config);
  if (config.smtp.allowPrivateMx) {
    io.stderr.write(
      'mailvet: warning: smtp.allowPrivateMx is on — mail hosts on loopback/private addresses will be dialled. For tests only; never on a service others can reach.\n',
    );
  }
  return config;
}

/**
 * HELO name and MAIL FROM go on the wire in every session. Checked here with
 * the same builders the session uses, so a bad value stops start-up with
 * exit 2 instead of failing every verification as "connection_failed" (and
 * tripping every host's circuit breaker on the way).
 */
function checkSmtpIdentity(config: MailvetConfig): void {
  if (!config.smtp.enabled) return;
  const check = (path: string, build: () => unknown) => {
    try {
      build();
    } catch (err) {
      throw new ConfigError(`invalid ${path}: ${(err as Error).message}`, { cause: err });
    }
  };
  check('smtp.heloName', () => ehloCommand(config.smtp.heloName));
  // ASCII only: a UTF-8 sender would need SMTPUTF8 even for ASCII recipients.
  check('smtp.mailFrom', () => mailCommand(config.smtp.mailFrom));
}

/** commander's attribute name for a flag: `--smtp-port <p>` → `smtpPort`, `--no-smtp` → `smtp`. */
function optionKey(flags: string): string {
  const long = flags.split(/[ ,]/)[0].replace(/^--(no-)?/, '');
  return long.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
