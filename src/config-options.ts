/**
 * Every configuration option, declared once: its path in MailvetConfig, its
 * environment variable, its type and bounds, its default and its meaning.
 * `config.ts` reads this table to build and validate the config, and
 * `scripts/configuration-doc.ts` renders docs/configuration.md from it, so the
 * documentation cannot drift from the code.
 */
import { parseTrustProxy } from './server/trust-proxy.js';

export type OptionType =
  | { kind: 'int'; min: number; max: number }
  | { kind: 'bool' }
  | { kind: 'string'; nullable?: boolean }
  | { kind: 'list' }
  | { kind: 'enum'; values: readonly string[] };

export interface OptionSpec {
  /** Dotted path into MailvetConfig, e.g. `smtp.port`. */
  path: string;
  env: string;
  type: OptionType;
  default: unknown;
  doc: string;
  /**
   * Checks beyond the type, on the value of that type: returns why it is
   * invalid (named in the ConfigError with the option and its source), or
   * undefined.
   */
  validate?: (value: unknown) => string | undefined;
}

const int = (min: number, max: number): OptionType => ({ kind: 'int', min, max });
const bool: OptionType = { kind: 'bool' };
const str: OptionType = { kind: 'string' };
const nullableStr: OptionType = { kind: 'string', nullable: true };
const list: OptionType = { kind: 'list' };

const DAY_MS = 86_400_000;

/** The reason parseTrustProxy refuses a value, if it does. */
function trustProxyProblem(value: unknown): string | undefined {
  try {
    parseTrustProxy(value as string);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

export const OPTIONS: readonly OptionSpec[] = [
  // DNS
  {
    path: 'dns.servers',
    env: 'MAILVET_DNS',
    type: list,
    default: [],
    doc: 'DNS resolvers as comma-separated `host:port` (IPv6 as `[::1]:53`). Empty: the system resolvers.',
  },
  {
    path: 'dns.timeoutMs',
    env: 'MAILVET_DNS_TIMEOUT_MS',
    type: int(100, 60_000),
    default: 5000,
    doc: 'Timeout of one DNS query attempt.',
  },
  {
    path: 'dns.tries',
    env: 'MAILVET_DNS_TRIES',
    type: int(1, 5),
    default: 2,
    doc: 'Attempts per DNS query before it counts as a temporary failure (`unknown/dns_error`).',
  },
  {
    path: 'dns.minTtlSeconds',
    env: 'MAILVET_DNS_MIN_TTL',
    type: int(0, 86_400),
    default: 60,
    doc: 'Lower bound applied to cached positive DNS answers.',
  },
  {
    path: 'dns.maxTtlSeconds',
    env: 'MAILVET_DNS_MAX_TTL',
    type: int(0, 604_800),
    default: 3600,
    doc: 'Upper bound applied to cached positive DNS answers.',
  },
  {
    path: 'dns.negativeTtlSeconds',
    env: 'MAILVET_DNS_NEGATIVE_TTL',
    type: int(0, 86_400),
    default: 300,
    doc: 'How long NXDOMAIN / no-data answers are cached.',
  },
  // SMTP
  {
    path: 'smtp.enabled',
    env: 'MAILVET_SMTP',
    type: bool,
    default: true,
    doc: 'Probe mailboxes over SMTP. Off: results stop at DNS with `unknown/smtp_skipped` where nothing earlier decided (`--no-smtp`).',
  },
  {
    path: 'smtp.port',
    env: 'MAILVET_SMTP_PORT',
    type: int(1, 65_535),
    default: 25,
    doc: 'TCP port of mail servers. Real MX hosts listen on 25; other ports are for tests.',
  },
  {
    path: 'smtp.heloName',
    env: 'MAILVET_HELO',
    type: str,
    default: 'localhost',
    doc: 'Name sent in EHLO/HELO. Use a name that resolves to this host and matches its PTR record, or many servers refuse you (see `mailvet doctor`).',
  },
  {
    path: 'smtp.mailFrom',
    env: 'MAILVET_FROM',
    type: str,
    default: 'verify@localhost',
    doc: 'Envelope sender used in MAIL FROM. Use an address at a domain you control.',
  },
  {
    path: 'smtp.proxy',
    env: 'MAILVET_PROXY',
    type: nullableStr,
    default: null,
    doc: 'SOCKS5 proxy for SMTP connections: `socks5://[user:pass@]host:port`.',
  },
  {
    path: 'smtp.sourceAddress',
    env: 'MAILVET_SOURCE_ADDRESS',
    type: nullableStr,
    default: null,
    doc: 'Local IP address SMTP connections are made from.',
  },
  {
    path: 'smtp.allowPrivateMx',
    env: 'MAILVET_ALLOW_PRIVATE_MX',
    type: bool,
    default: false,
    doc: 'Allow mail hosts on loopback/private/reserved addresses. For tests only: on a real service this lets strangers make mailvet scan your internal network.',
  },
  {
    path: 'smtp.starttls',
    env: 'MAILVET_SMTP_STARTTLS',
    type: bool,
    default: true,
    doc: 'Use STARTTLS when a server offers it (a failed handshake falls back to plain text). Costs 3 round trips per session, amortised over every recipient of the session; keeps the addresses you verify off the wire in clear text.',
  },
  {
    path: 'smtp.connectTimeoutMs',
    env: 'MAILVET_SMTP_CONNECT_TIMEOUT_MS',
    type: int(100, 120_000),
    default: 10_000,
    doc: 'TCP connect timeout per mail host address.',
  },
  {
    path: 'smtp.commandTimeoutMs',
    env: 'MAILVET_SMTP_COMMAND_TIMEOUT_MS',
    type: int(100, 600_000),
    default: 30_000,
    doc: 'Timeout for the banner and for each SMTP reply.',
  },
  {
    path: 'smtp.maxSessionsPerHost',
    env: 'MAILVET_SMTP_MAX_SESSIONS_PER_HOST',
    type: int(1, 100),
    default: 2,
    doc: 'Concurrent SMTP sessions per mail host IP (politeness cap).',
  },
  {
    path: 'smtp.maxRecipientsPerSession',
    env: 'MAILVET_SMTP_MAX_RECIPIENTS',
    type: int(1, 100),
    default: 50,
    doc: "Recipients per transaction; lowered automatically to the server's RCPTMAX and on 452 4.5.3.",
  },
  {
    path: 'smtp.greylistBudgetMs',
    env: 'MAILVET_GREYLIST_BUDGET_MS',
    type: int(0, DAY_MS),
    default: 0,
    doc: 'How long one verification may wait to retry a greylisted recipient. 0: answer `unknown/greylisted` with `retryAfterSeconds` at once (bulk jobs retry later).',
  },
  // Lists
  {
    path: 'lists.allowFile',
    env: 'MAILVET_ALLOW_FILE',
    type: nullableStr,
    default: null,
    doc: 'File of domains/addresses (one per line, `#` comments) never flagged disposable.',
  },
  {
    path: 'lists.denyFile',
    env: 'MAILVET_DENY_FILE',
    type: nullableStr,
    default: null,
    doc: 'File of domains/addresses always treated as disposable.',
  },
  // Risk policy
  {
    path: 'policy.roleIsRisky',
    env: 'MAILVET_ROLE_IS_RISKY',
    type: bool,
    default: false,
    doc: 'A deliverable role account (`info@`) is `risky/role_account` instead of `deliverable`.',
  },
  {
    path: 'policy.freeIsRisky',
    env: 'MAILVET_FREE_IS_RISKY',
    type: bool,
    default: false,
    doc: 'Count a free-provider address as a risk in `score`. The result contract has no `free` reason, so status and reason are unchanged; `flags.free` is always reported.',
  },
  {
    path: 'policy.disposableIsRisky',
    env: 'MAILVET_DISPOSABLE_IS_RISKY',
    type: bool,
    default: true,
    doc: 'Disposable domains are `risky/disposable`.',
  },
  {
    path: 'policy.catchAllIsRisky',
    env: 'MAILVET_CATCH_ALL_IS_RISKY',
    type: bool,
    default: true,
    doc: 'Addresses at catch-all domains are `risky/catch_all` (the server accepts any address, so acceptance proves nothing).',
  },
  {
    path: 'policy.typoIsRisky',
    env: 'MAILVET_TYPO_IS_RISKY',
    type: bool,
    default: true,
    doc: 'An address with a typo suggestion (`@gmial.com`) that would otherwise be `deliverable` or `unknown` is `risky/possible_typo`. Undeliverable evidence always wins.',
  },
  {
    path: 'timeoutMs',
    env: 'MAILVET_TIMEOUT',
    type: int(100, 600_000),
    default: 60_000,
    doc: 'Overall time budget of one verification (`--timeout`).',
  },
  {
    path: 'concurrency',
    env: 'MAILVET_CONCURRENCY',
    type: int(1, 10_000),
    default: 500,
    doc: 'Addresses verified at once by `check`, `bulk` and job workers. They queue per mail host, where the per-host caps apply; this bounds memory and DNS load.',
  },
  // Server
  {
    path: 'server.host',
    env: 'MAILVET_HOST',
    type: str,
    default: '127.0.0.1',
    doc: 'Address `mailvet serve` listens on.',
  },
  {
    path: 'server.port',
    env: 'MAILVET_PORT',
    type: int(0, 65_535),
    default: 8080,
    doc: 'Port `mailvet serve` listens on.',
  },
  {
    path: 'server.trustProxy',
    env: 'MAILVET_TRUST_PROXY',
    type: str,
    default: 'false',
    validate: trustProxyProblem,
    doc:
      'Which `X-Forwarded-For` entries to believe for the client address (IP blocks, audit): `false` (none), `true` (all), ' +
      'a hop count (`1`: the entry the nearest proxy added; 0–255; it trusts whoever connects, so only where clients cannot reach the service but through the proxies), ' +
      'or comma-separated proxy IPs/CIDRs (also `loopback`, `linklocal`, `uniquelocal`) whose entries are believed. Anything else stops start-up.',
  },
  {
    path: 'server.bodyLimitBytes',
    env: 'MAILVET_BODY_LIMIT',
    type: int(1024, 1_073_741_824),
    default: 1_048_576,
    doc: 'Largest accepted JSON request body, except job bodies on `POST /v1/jobs` (`jobs.maxJsonBytes`).',
  },
  {
    path: 'server.metricsToken',
    env: 'MAILVET_METRICS_TOKEN',
    type: nullableStr,
    default: null,
    doc: 'When set, `/metrics` requires `Authorization: Bearer <token>`.',
  },
  {
    path: 'server.blockCidrs',
    env: 'MAILVET_BLOCK_CIDRS',
    type: list,
    default: [],
    doc: 'Static client IP blocklist (IPv4/IPv6 CIDRs, comma-separated).',
  },
  {
    path: 'server.authFailureThreshold',
    env: 'MAILVET_AUTH_FAILURE_THRESHOLD',
    type: int(1, 1_000_000),
    default: 20,
    doc: 'Failed authentications one IP may make within the window; the next one blocks it for `server.authBlockSeconds`. Each instance counts alone unless `REDIS_URL` is set, which makes the count shared.',
  },
  {
    path: 'server.authFailureWindowSeconds',
    env: 'MAILVET_AUTH_FAILURE_WINDOW',
    type: int(1, 86_400),
    default: 300,
    doc: 'Window for counting failed authentications.',
  },
  {
    path: 'server.authBlockSeconds',
    env: 'MAILVET_AUTH_BLOCK_SECONDS',
    type: int(1, 604_800),
    default: 900,
    doc: 'Duration of an automatic IP block. The block is stored in the database: the instance that made it enforces it at once, the others within 5 s.',
  },
  {
    path: 'server.defaultRatePerMinute',
    env: 'MAILVET_RATE_PER_MINUTE',
    type: int(1, 10_000_000),
    default: 600,
    doc: 'Verifications per minute for keys without their own rate policy.',
  },
  {
    path: 'server.auditRetentionDays',
    env: 'MAILVET_AUDIT_RETENTION_DAYS',
    type: int(1, 3650),
    default: 90,
    doc: 'Audit rows older than this are pruned.',
  },
  {
    path: 'server.resultCacheTtlSeconds',
    env: 'MAILVET_RESULT_CACHE_TTL',
    type: int(0, 604_800),
    default: 0,
    doc: 'Per-address result cache TTL; 0 turns the cache off.',
  },
  {
    path: 'server.shutdownTimeoutMs',
    env: 'MAILVET_SHUTDOWN_TIMEOUT_MS',
    type: int(0, 600_000),
    default: 30_000,
    doc: "On SIGTERM/SIGINT, time in-flight HTTP requests get to finish before their connections are cut. The in-process job workers then get `jobs.stopGraceMs`; keep the sum under your orchestrator's kill timeout (Kubernetes: `terminationGracePeriodSeconds`, 30 s by default).",
  },
  // Storage
  {
    path: 'store.dataDir',
    env: 'MAILVET_DATA_DIR',
    type: str,
    default: './data',
    doc: 'Directory of the embedded SQLite database (`mailvet.sqlite`).',
  },
  {
    path: 'store.databaseUrl',
    env: 'DATABASE_URL',
    type: nullableStr,
    default: null,
    doc: 'PostgreSQL connection URL; when set it replaces SQLite.',
  },
  {
    path: 'redisUrl',
    env: 'REDIS_URL',
    type: nullableStr,
    default: null,
    doc: 'Redis URL; when set, rate limits, auth-failure counts and result caches are shared by every instance.',
  },
  {
    path: 'redisKeyPrefix',
    env: 'MAILVET_REDIS_KEY_PREFIX',
    type: str,
    default: 'mailvet',
    doc: 'Prefix of every Redis key mailvet writes (rate limits, auth-failure counts, result cache). Instances with the same prefix share allowances and cached results; give each deployment sharing one Redis its own.',
  },
  {
    path: 'logLevel',
    env: 'MAILVET_LOG_LEVEL',
    type: { kind: 'enum', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
    default: 'info',
    doc: 'Log level.',
  },
  // Bulk jobs (src/jobs; docs/jobs.md)
  {
    path: 'jobs.maxRows',
    env: 'MAILVET_JOBS_MAX_ROWS',
    type: int(1, 100_000_000),
    default: 1_000_000,
    doc: 'Most rows (addresses) one job may hold; a larger upload is refused with 413.',
  },
  {
    path: 'jobs.maxUploadBytes',
    env: 'MAILVET_JOBS_MAX_UPLOAD_BYTES',
    type: int(1024, 10 * 1024 * 1024 * 1024),
    default: 512 * 1024 * 1024,
    doc: 'Largest job upload (CSV or JSON body) in bytes; larger is refused with 413.',
  },
  {
    path: 'jobs.maxJsonBytes',
    env: 'MAILVET_JOBS_MAX_JSON_BYTES',
    type: int(1024, 1024 * 1024 * 1024),
    default: 16 * 1024 * 1024,
    doc: 'Largest JSON job body (`{emails: [...]}`) in bytes, at most `jobs.maxUploadBytes`; larger is refused with 413. A JSON body is parsed whole in memory (about 4× its size), a CSV upload streams: send long lists as CSV.',
  },
  {
    path: 'jobs.workers',
    env: 'MAILVET_JOBS_WORKERS',
    type: int(0, 256),
    default: 4,
    doc: 'Claim loops run by each worker process (`mailvet serve` or `mailvet worker`); 0 in `serve` runs no in-process worker.',
  },
  {
    path: 'jobs.batchSize',
    env: 'MAILVET_JOBS_BATCH_SIZE',
    type: int(1, 10_000),
    default: 100,
    doc: 'Items of one domain claimed at once by a claim loop.',
  },
  {
    path: 'jobs.leaseSeconds',
    env: 'MAILVET_JOBS_LEASE_SECONDS',
    type: int(5, 86_400),
    default: 120,
    doc: 'Lease on claimed items; renewed while the worker lives, reclaimed by others once expired.',
  },
  {
    path: 'jobs.pollIntervalMs',
    env: 'MAILVET_JOBS_POLL_MS',
    type: int(10, 600_000),
    default: 1000,
    doc: 'How long an idle claim loop waits before looking for work again.',
  },
  {
    path: 'jobs.maxAttempts',
    env: 'MAILVET_JOBS_MAX_ATTEMPTS',
    type: int(1, 100),
    default: 10,
    doc: 'Claims of one item (greylist retries and expired leases) before its last answer becomes final.',
  },
  {
    path: 'jobs.importStaleSeconds',
    env: 'MAILVET_JOBS_IMPORT_STALE_SECONDS',
    type: int(30, 86_400),
    default: 600,
    doc: 'An import without progress for this long (its process died) is marked failed and its rows removed.',
  },
  {
    path: 'jobs.webhookSecret',
    env: 'MAILVET_JOBS_WEBHOOK_SECRET',
    type: nullableStr,
    default: null,
    doc: 'Signs every job webhook when set; otherwise each job gets its own secret, returned at creation.',
  },
  {
    path: 'jobs.webhookAllowPrivate',
    env: 'MAILVET_JOBS_WEBHOOK_ALLOW_PRIVATE',
    type: bool,
    default: false,
    doc: 'Allow webhook URLs that resolve to private or loopback addresses — tests only.',
  },
  {
    path: 'jobs.webhookMaxAttempts',
    env: 'MAILVET_JOBS_WEBHOOK_MAX_ATTEMPTS',
    type: int(1, 30),
    default: 8,
    doc: 'Webhook deliveries tried (exponential backoff from 1 s, capped at 1 h) before giving up.',
  },
  {
    path: 'jobs.webhookTimeoutMs',
    env: 'MAILVET_JOBS_WEBHOOK_TIMEOUT_MS',
    type: int(100, 120_000),
    default: 10_000,
    doc: 'Total deadline for one webhook delivery: DNS lookup, connect, sending the body and reading the answer. A receiver that answers slowly (even one byte at a time) fails the attempt when it passes.',
  },
  {
    path: 'jobs.stopGraceMs',
    env: 'MAILVET_JOBS_STOP_GRACE_MS',
    type: int(0, 600_000),
    default: 10_000,
    doc: 'On a graceful stop (`mailvet serve` or `mailvet worker`), time the current batches get to finish; then finished results are written, the other items are released for other workers and open SMTP connections are cut. `mailvet worker --grace-ms` overrides it.',
  },
];
