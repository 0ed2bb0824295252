/** Longest a single readiness check may take before it counts as failed. */
export const DEFAULT_HEALTH_CHECK_TIMEOUT_MS = 2_000;

/** One dependency probe: resolves when healthy, throws (or rejects) when not. */
export interface HealthCheck {
  name: string;
  check(): Promise<void>;
}

export interface HealthCheckOutcome {
  name: string;
  ok: boolean;
  /** Short machine-friendly failure text; never a connection string or secret. */
  error?: string;
}

export interface HealthReport {
  ok: boolean;
  checks: HealthCheckOutcome[];
}

/**
 * Run every check concurrently, each bounded by `timeoutMs`, so a hung
 * dependency makes the probe fail rather than hang the load balancer.
 */
export async function runHealthChecks(
  checks: readonly HealthCheck[],
  timeoutMs = DEFAULT_HEALTH_CHECK_TIMEOUT_MS,
): Promise<HealthReport> {
  const outcomes = await Promise.all(checks.map((c) => runOne(c, timeoutMs)));
  return { ok: outcomes.every((o) => o.ok), checks: outcomes };
}

async function runOne(c: HealthCheck, timeoutMs: number): Promise<HealthCheckOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
    timer.unref();
  });
  try {
    await Promise.race([c.check(), timeout]);
    return { name: c.name, ok: true };
  } catch (err) {
    return { name: c.name, ok: false, error: describe(err) };
  } finally {
    clearTimeout(timer);
  }
}

function describe(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && /^[A-Z0-9_]{1,64}$/.test(code)) return code;
  const message = err instanceof Error ? err.message : String(err);
  // Driver messages can embed a DSN with a password; keep only a short first line without URLs.
  return message
    .split('\n')[0]
    .replace(/\b\w+:\/\/\S+/g, '[url]')
    .slice(0, 120);
}
