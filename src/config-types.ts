/**
 * The shape of mailvet's one configuration object. `src/config.ts` builds it
 * from flags > env (`MAILVET_*`) > config file > defaults, validates it once
 * and freezes it. Every option is documented in docs/configuration.md.
 */
export interface MailvetConfig {
  dns: {
    /** Resolvers as `host:port`; empty = the system's. (`MAILVET_DNS`) */
    servers: string[];
    timeoutMs: number;
    tries: number;
    minTtlSeconds: number;
    maxTtlSeconds: number;
    negativeTtlSeconds: number;
  };
  smtp: {
    enabled: boolean;
    port: number; // MAILVET_SMTP_PORT, default 25
    heloName: string; // MAILVET_HELO
    mailFrom: string; // MAILVET_FROM
    proxy: string | null; // MAILVET_PROXY socks5://host:port
    sourceAddress: string | null;
    allowPrivateMx: boolean; // MAILVET_ALLOW_PRIVATE_MX — tests only
    starttls: boolean; // MAILVET_SMTP_STARTTLS
    connectTimeoutMs: number;
    commandTimeoutMs: number;
    maxSessionsPerHost: number;
    maxRecipientsPerSession: number;
    greylistBudgetMs: number;
  };
  lists: {
    allowFile: string | null;
    denyFile: string | null;
  };
  policy: {
    roleIsRisky: boolean;
    freeIsRisky: boolean;
    disposableIsRisky: boolean;
    catchAllIsRisky: boolean;
    typoIsRisky: boolean;
  };
  /** Overall time budget for one verification. (`--timeout`, `MAILVET_TIMEOUT`) */
  timeoutMs: number;
  /** Verifications in flight at once in verifyMany. (`--concurrency`, `MAILVET_CONCURRENCY`) */
  concurrency: number;
  server: {
    host: string; // MAILVET_HOST
    port: number; // MAILVET_PORT
    trustProxy: boolean | string; // which X-Forwarded-For hops to believe
    bodyLimitBytes: number;
    metricsToken: string | null; // when set, /metrics needs `Authorization: Bearer <token>`
    blockCidrs: string[];
    authFailureThreshold: number;
    authFailureWindowSeconds: number;
    authBlockSeconds: number;
    defaultRatePerMinute: number;
    auditRetentionDays: number;
    resultCacheTtlSeconds: number; // 0 = off
    shutdownTimeoutMs: number; // in-flight requests' drain time on SIGTERM
  };
  store: {
    dataDir: string; // MAILVET_DATA_DIR, default ./data (SQLite file inside)
    databaseUrl: string | null; // DATABASE_URL → PostgreSQL
  };
  redisUrl: string | null; // REDIS_URL
  redisKeyPrefix: string; // MAILVET_REDIS_KEY_PREFIX, default mailvet
  logLevel: string; // MAILVET_LOG_LEVEL
}
