/** Outcome of one migration in a run (kysely's MigrationResult, simplified). */
export interface MigrationOutcome {
  name: string;
  status: 'Success' | 'Error' | 'NotExecuted';
}

/** A migration run is data, like kysely's result set: check `error`. */
export interface MigrationReport {
  /** Set when a migration (or the lock) failed; earlier ones stay applied. */
  error?: unknown;
  results: MigrationOutcome[];
}

/** One known migration and when it was applied (undefined = pending). */
export interface MigrationState {
  name: string;
  executedAt: Date | undefined;
}
