import type { CreateTableBuilder } from 'kysely';
import type { StoreAdapter } from './store-adapter.js';

/** Conservative defaults: a dialect opts in to each capability it has. */
export abstract class StoreAdapterBase implements StoreAdapter {
  abstract readonly dialectName: 'sqlite' | 'postgres';
  readonly supportsSkipLocked: boolean = false;
  readonly supportsReturning: boolean = false;
  readonly supportsMultipleConnections: boolean = false;
  readonly supportsTransactionalDdl: boolean = false;
  readonly supportsSharedAccess: boolean = false;
  abstract addIncrementingId<TB extends string, C extends string>(
    table: CreateTableBuilder<TB, C>,
    column: string,
  ): CreateTableBuilder<TB, C>;
}
